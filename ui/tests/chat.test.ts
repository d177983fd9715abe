import { describe, expect, it, vi } from "vitest";
import { Api } from "../src/lib/api/client";
import { ChatStore } from "../src/lib/stores/chat.svelte";
import { AppStore } from "../src/lib/stores/app.svelte";
import type { Message } from "../src/lib/api/types";
import { FakeSocket, fakeFetch } from "./fakes";

function message(id: string, role: "user" | "assistant", content: string, conversation_id = "c1"): Message {
  return { id, conversation_id, role, content, created_at: "2026-03-12T10:00:00+00:00", intent: null, action_cards: [] };
}

/** A server with one conversation whose stored messages the test controls. */
function server(stored: Message[]) {
  return fakeFetch((method, path) => {
    if (method === "POST" && path === "/api/chat/send")
      return { status: 202, body: { message_id: "u2", conversation_id: "c1", reply_id: "a2", status: "delivered" } };
    if (method === "POST" && path === "/api/chat/voice") {
      stored.push(message("u9", "user", "what is on my list"));
      return { status: 202, body: { message_id: "u9", conversation_id: "c1", reply_id: "a9", transcript: "what is on my list", status: "delivered" } };
    }
    if (path.startsWith("/api/chat/conversations/c1/messages")) {
      const q = new URLSearchParams(path.split("?")[1]);
      const after = q.get("after");
      const from = after ? stored.findIndex((m) => m.id === after) + 1 : 0;
      const items = stored.slice(from);
      return { status: 200, body: { items, total: items.length, page: 1, limit: 100 } };
    }
    if (path.startsWith("/api/chat/conversations")) return { status: 200, body: { items: [], total: 0, page: 1, limit: 100 } };
    return { status: 404, body: { detail: "no", code: "not_found" } };
  });
}

function store(stored: Message[]) {
  const f = server(stored);
  const api = new Api({ baseUrl: "", tokens: { access_token: "a", refresh_token: "r" }, fetch: f.impl });
  return { chat: new ChatStore(api, "page-1"), calls: f.calls };
}

describe("the chat store", () => {
  it("grows a streamed answer chunk by chunk and closes it with the full text", async () => {
    const { chat } = store([message("u1", "user", "hi"), message("a1", "assistant", "Hello")]);
    await chat.open("c1");
    chat.apply({ type: "stream_start", data: { message_id: "a2", conversation_id: "c1" } });
    chat.apply({ type: "stream_chunk", data: { message_id: "a2", content: "Once", index: 0 } });
    expect(chat.messages.at(-1)).toMatchObject({ id: "a2", content: "Once", streaming: true });
    chat.apply({ type: "stream_chunk", data: { message_id: "a2", content: " upon", index: 1 } });
    chat.apply({ type: "stream_chunk", data: { message_id: "a2", content: " upon", index: 1 } });
    expect(chat.messages.at(-1)?.content).toBe("Once upon");
    chat.apply({ type: "stream_end", data: { message_id: "a2", full_content: "Once upon a time.", intent: "general_chat" } });
    expect(chat.messages.at(-1)).toMatchObject({ content: "Once upon a time.", streaming: false, intent: "general_chat" });
    expect(chat.streaming).toBeUndefined();
  });

  it("attaches action cards to their message once, even when a frame repeats", async () => {
    const { chat } = store([]);
    await chat.open("c1");
    chat.apply({ type: "stream_start", data: { message_id: "a2", conversation_id: "c1" } });
    const card = { message_id: "a2", card_type: "todo_created", payload: { todo: { id: "t1", title: "buy milk" } }, actions: [{ action: "undo", label: "Undo", method: "DELETE", path: "/api/todos/t1" }] };
    chat.apply({ type: "action_card", data: card });
    chat.apply({ type: "action_card", data: card });
    expect(chat.messages.at(-1)?.cards).toHaveLength(1);
    expect(chat.messages.at(-1)?.cards[0].card_type).toBe("todo_created");
  });

  it("has the parser read the first words typed, once a page, before anything is sent", async () => {
    const { chat, calls } = store([]);
    await chat.open("c1");
    chat.typing("   ");
    chat.typing(" lunch with Sam ");
    chat.typing("lunch with Sam friday");
    await vi.waitFor(() => expect(calls.filter((c) => c.path === "/api/parse")).toHaveLength(1));
    const reads = calls.filter((c) => c.path === "/api/parse");
    expect(reads[0]).toMatchObject({ method: "POST", body: { text: "lunch with Sam" } });
    expect(calls.some((c) => c.path === "/api/chat/send")).toBe(false);
  });

  it("ignores streams of other conversations", async () => {
    const { chat } = store([]);
    await chat.open("c1");
    chat.apply({ type: "stream_start", data: { message_id: "x", conversation_id: "other" } });
    chat.apply({ type: "stream_chunk", data: { message_id: "x", content: "nope", index: 0 } });
    expect(chat.messages).toHaveLength(0);
  });

  it("catches up after a reconnect without duplicating what it already shows", async () => {
    const stored = [message("u1", "user", "hi"), message("a1", "assistant", "Hello")];
    const { chat, calls } = store(stored);
    await chat.open("c1");
    // While the socket was down, an answer was streamed half-way and then stored whole,
    // and another device sent a message.
    chat.apply({ type: "stream_start", data: { message_id: "a2", conversation_id: "c1" } });
    chat.apply({ type: "stream_chunk", data: { message_id: "a2", content: "Part", index: 0 } });
    stored.push(message("a2", "assistant", "Part and the rest."), message("u3", "user", "from my phone"));
    await chat.catchUp();
    expect(calls.at(-1)?.path).toContain("after=a1");
    expect(chat.messages.map((m) => m.id)).toEqual(["u1", "a1", "a2", "u3"]);
    expect(chat.messages[2]).toMatchObject({ content: "Part and the rest.", streaming: false });
    await chat.catchUp();
    expect(chat.messages).toHaveLength(4);
  });

  it("shows a sent message at once and keeps it under the id the server gave it", async () => {
    const { chat } = store([message("u1", "user", "hi")]);
    await chat.open("c1");
    const sending = chat.send("add buy milk to my todo list");
    expect(chat.messages.at(-1)).toMatchObject({ role: "user", content: "add buy milk to my todo list" });
    await sending;
    expect(chat.messages.at(-1)?.id).toBe("u2");
  });

  it("names this page's socket when it sends, so the answer streams here", async () => {
    const { chat, calls } = store([message("u1", "user", "hi")]);
    await chat.open("c1");
    await chat.send("add buy milk to my todo list");
    const sent = calls.find((c) => c.path === "/api/chat/send");
    expect(sent?.body).toEqual({ conversation_id: "c1", content: "add buy milk to my todo list", connection_id: "page-1" });
    // Its own answer starting asks the server for nothing: the question is already shown.
    const before = calls.length;
    chat.apply({ type: "stream_start", data: { message_id: "a2", conversation_id: "c1" } });
    expect(calls).toHaveLength(before);
  });

  it("shows an answer asked on another device whole when its end comes without chunks", async () => {
    const stored = [message("u1", "user", "hi"), message("a1", "assistant", "Hello")];
    const { chat } = store(stored);
    await chat.open("c1");
    // The other device's question is stored before its answer starts.
    stored.push(message("u2", "user", "tell me a story"));
    chat.apply({ type: "stream_start", data: { message_id: "a2", conversation_id: "c1" } });
    await vi.waitFor(() => expect(chat.messages.map((m) => m.id)).toEqual(["u1", "a1", "u2", "a2"]));
    expect(chat.messages.at(-1)).toMatchObject({ content: "", streaming: true });
    chat.apply({ type: "stream_end", data: { message_id: "a2", full_content: "Once upon a time.", intent: "general_chat" } });
    expect(chat.messages.at(-1)).toMatchObject({ id: "a2", content: "Once upon a time.", streaming: false });
  });

  it("fetches an answer whose end arrives without its start", async () => {
    const stored = [message("u1", "user", "hi")];
    const { chat } = store(stored);
    await chat.open("c1");
    stored.push(message("u2", "user", "what now"), message("a2", "assistant", "Nothing is due."));
    chat.apply({ type: "stream_end", data: { message_id: "a2", full_content: "Nothing is due.", intent: "general_chat" } });
    await vi.waitFor(() => expect(chat.messages.map((m) => m.content)).toEqual(["hi", "what now", "Nothing is due."]));
  });

  it("sends a voice question as a recording and shows what the server heard", async () => {
    const { chat, calls } = store([message("u1", "user", "hi")]);
    await chat.open("c1");
    expect(await chat.sendVoice(new Blob(["fake audio"], { type: "audio/webm" }))).toBe(true);
    const upload = calls.find((c) => c.path === "/api/chat/voice");
    const form = upload?.body as FormData;
    expect(form.get("conversation_id")).toBe("c1");
    expect((form.get("audio") as File).type).toBe("audio/webm");
    expect(chat.messages.at(-1)).toMatchObject({ id: "u9", role: "user", content: "what is on my list" });
  });

  it("lists approval requests until the task moves on", () => {
    const { chat } = store([]);
    const task = { task: { task_id: "t9", tool: "executor_shell" as const, inputs: { command: "ls ~" }, depends_on: [] }, status: "awaiting_approval" as const, target: "host" as const, output: null, error: null };
    chat.apply({ type: "task:approval_request", data: { task, reason: "runs a command" } });
    chat.apply({ type: "task:approval_request", data: { task, reason: "runs a command" } });
    expect(chat.approvals).toHaveLength(1);
    chat.apply({ type: "task:update", data: { task_id: "t9", status: "running", output: null, error: null } });
    expect(chat.approvals).toHaveLength(0);
  });

  it("tracks a plan's progress from task updates", async () => {
    const { chat } = store([]);
    await chat.open("c1");
    chat.apply({ type: "stream_start", data: { message_id: "a2", conversation_id: "c1" } });
    const t = (id: string) => ({ task: { task_id: id, tool: "file_read" as const, inputs: {}, depends_on: [] }, status: "pending" as const, target: "host" as const, output: null, error: null });
    chat.apply({ type: "query-result", data: { message_id: "a2", conversation_id: "c1", intent: "file_read", answer: "", voice: "", thought: "", requested_tool: [], tasks: [t("k1"), t("k2")], provider: "builtin", fallback_reason: null } });
    chat.apply({ type: "task:update", data: { task_id: "k1", status: "done", output: "text", error: null } });
    expect(chat.messages.at(-1)?.tasks.map((x) => x.status)).toEqual(["done", "pending"]);
  });
});

describe("the app store", () => {
  it("moves a module's change counter on module_data_changed, so open views reload", () => {
    const f = fakeFetch(() => ({ status: 200, body: {} }));
    const app = new AppStore(new Api({ baseUrl: "", tokens: { access_token: "a", refresh_token: "r" }, fetch: f.impl }), FakeSocket as unknown as typeof WebSocket);
    const before = app.changed.todos;
    app.apply({ type: "module_data_changed", data: { module: "todos" } });
    expect(app.changed.todos).toBe(before + 1);
    expect(app.changed.memos).toBe(0);
  });
});
