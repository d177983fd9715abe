// Socket.IO with the official JavaScript client (socket.io-client 4), against the real
// server: connect with a token, ask, get query-result; act as a host that runs file_read
// and see the dependent task finish; voice with and without a speech service.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startServer, standInStt } from "./server.mjs";

const once = (socket, event, timeoutMs = 10_000) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });

async function eventually(check, what) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never happened: ${what}`);
}

test("a text query gets its query-result and the todo exists", async () => {
  const server = await startServer();
  const socket = io(server.base, { auth: { token: server.token }, transports: ["websocket"] });
  try {
    await once(socket, "connect");
    const result = once(socket, "query-result");
    socket.emit("send-user-text-query", { query: "add buy milk to my todo list" });
    const r = await result;
    assert.equal(r.intent, "create_todo");
    assert.equal(r.tasks[0].task.tool, "create_todo");
    await eventually(async () => (await server.get("/api/todos")).items.some((t) => t.title === "buy milk"), "buy milk stored");
  } finally {
    socket.close();
    await server.stop();
  }
});

test("a registered host runs file_read and the memo that depends on it is created", async () => {
  const server = await startServer();
  const socket = io(server.base, { auth: { token: server.token }, transports: ["websocket"] });
  try {
    await once(socket, "connect");
    // Events are handled concurrently on the server: wait until the registration holds.
    const registered = await socket.timeout(10_000).emitWithAck("client:register", { tools: ["file_read"] });
    assert.deepEqual(registered, { status: "registered", tools: ["file_read"] });
    const execute = once(socket, "task:execute");
    socket.emit("send-user-text-query", { query: "read ~/notes/ideas.txt and save it as a memo" });
    const task = await execute;
    assert.equal(task.task.tool, "file_read");
    assert.equal(task.task.inputs.path, "~/notes/ideas.txt");
    socket.emit("task:result", { task_id: task.task.task_id, result: { path: "~/notes/ideas.txt", content: "Take the night train." } });
    await eventually(
      async () => (await server.get("/api/memos")).items.some((m) => m.content === "Take the night train."),
      "the memo made from the file",
    );
  } finally {
    socket.close();
    await server.stop();
  }
});

test("no token means no connection", async () => {
  const server = await startServer();
  const socket = io(server.base, { auth: { token: "forged" }, transports: ["websocket"], reconnection: false });
  try {
    const error = await once(socket, "connect_error");
    assert.match(error.message, /unauthorized/);
  } finally {
    socket.close();
    await server.stop();
  }
});

test("a voice query says stt_unavailable without a speech service, and becomes a todo with one", async () => {
  const audio = Buffer.from("RIFF....WAVEfmt fake audio").toString("base64");
  let server = await startServer();
  let socket = io(server.base, { auth: { token: server.token }, transports: ["websocket"] });
  try {
    await once(socket, "connect");
    const error = once(socket, "error");
    socket.emit("send-user-voice-query", { audio, mimeType: "audio/wav" });
    assert.equal((await error).code, "stt_unavailable");
  } finally {
    socket.close();
    await server.stop();
  }
  const stt = await standInStt("remind me to water the plants tomorrow at 9am");
  server = await startServer({ STT_BASE_URL: stt.url });
  socket = io(server.base, { auth: { token: server.token }, transports: ["websocket"] });
  try {
    await once(socket, "connect");
    const result = once(socket, "query-result");
    socket.emit("send-user-voice-query", { audio, mimeType: "audio/wav" });
    assert.equal((await result).intent, "create_todo");
    await eventually(async () => (await server.get("/api/todos")).items.some((t) => t.title === "water the plants"), "the spoken todo");
  } finally {
    socket.close();
    stt.close();
    await server.stop();
  }
});
