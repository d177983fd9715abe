import { beforeEach, describe, expect, it, vi } from "vitest";
import { Realtime } from "../src/lib/api/realtime";
import type { ServerEvent } from "../src/lib/api/types";
import { FakeSocket, flush } from "./fakes";

function client(overrides: Partial<ConstructorParameters<typeof Realtime>[0]> = {}) {
  const events: ServerEvent[] = [];
  const onReconnect = vi.fn();
  let token = "t1";
  const rt = new Realtime({
    url: () => "ws://127.0.0.1:9/ws",
    token: () => token,
    refresh: async () => {
      token = "t2";
      return true;
    },
    onEvent: (e) => events.push(e),
    onReconnect,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    backoff: () => 0,
    ...overrides,
  });
  return { rt, events, onReconnect };
}

describe("the /ws protocol client", () => {
  beforeEach(() => {
    FakeSocket.all = [];
  });

  it("authenticates with a first auth frame, keeping the token out of the URL, and names its connection", () => {
    const { rt } = client({ connectionId: "page-1" });
    rt.start();
    const s = FakeSocket.last();
    expect(s.url).toBe("ws://127.0.0.1:9/ws");
    s.open();
    expect(s.frames()[0]).toEqual({ type: "auth", data: { token: "t1", connection_id: "page-1" } });
  });

  it("makes up a connection name of its own, different for each page", () => {
    const [a, b] = [client().rt, client().rt];
    expect(a.connectionId).toMatch(/^[0-9a-f]{32}$/);
    expect(b.connectionId).not.toBe(a.connectionId);
  });

  it("hands every server frame to the listener as a typed event and ignores garbage", () => {
    const { rt, events } = client();
    rt.start();
    const s = FakeSocket.last();
    s.open();
    s.emit({ type: "stream_chunk", data: { message_id: "m", content: "Hi", index: 0 } });
    s.onmessage?.({ data: "{not json" });
    s.emit({ type: "module_data_changed", data: { module: "todos" } });
    expect(events.map((e) => e.type)).toEqual(["stream_chunk", "module_data_changed"]);
  });

  it("queues frames sent while closed and sends them after authenticating", () => {
    const { rt } = client();
    rt.start();
    rt.send({ type: "task:approve", data: { task_id: "x" } });
    const s = FakeSocket.last();
    expect(s.sent).toHaveLength(0);
    s.open();
    expect(s.frames().map((f) => f.type)).toEqual(["auth", "task:approve"]);
  });

  it("reconnects by itself after a drop and asks the stores to catch up", async () => {
    const { rt, onReconnect } = client();
    rt.start();
    FakeSocket.last().open();
    expect(onReconnect).not.toHaveBeenCalled();
    FakeSocket.last().drop();
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(2));
    FakeSocket.last().open();
    expect(onReconnect).toHaveBeenCalledTimes(1);
    expect(rt.status).toBe("open");
  });

  it("refreshes the token when the server refuses it, and reconnects with the new one", async () => {
    const { rt } = client();
    rt.start();
    FakeSocket.last().open();
    FakeSocket.last().drop(4401);
    await vi.waitFor(() => expect(FakeSocket.all).toHaveLength(2));
    FakeSocket.last().open();
    // The same name as before, so an answer that was streaming comes back to this page.
    expect(FakeSocket.last().frames()[0]).toEqual({ type: "auth", data: { token: "t2", connection_id: rt.connectionId } });
  });

  it("stops trying when the login has ended", async () => {
    const { rt } = client({ refresh: async () => false });
    rt.start();
    FakeSocket.last().open();
    FakeSocket.last().drop(4401);
    await flush();
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    expect(rt.status).toBe("closed");
  });

  it("does not reconnect after stop()", async () => {
    const { rt } = client();
    rt.start();
    const s = FakeSocket.last();
    s.open();
    rt.stop();
    s.drop(1000);
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
  });
});
