// `/ws` with the `ws` client from npm, two connections of one user against the real
// server: the connection that asked gets every chunk of the answer, in order; the other
// gets none, and the whole answer in `stream_end`; both get the action card once, and
// every frame of the answer in its order (start, chunks, card, end). A
// connection that drops mid-answer finds the finished answer through the catch-up.
import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { standInModel } from "../e2e/harness.mjs";
import { startServer } from "./server.mjs";

/** A `/ws` connection that keeps every frame it receives, in order. */
class Client {
  frames = [];
  waiters = [];

  static async open(server) {
    const c = new Client();
    c.socket = new WebSocket(`${server.base.replace("http", "ws")}/ws?token=${server.token}`);
    c.socket.on("message", (data) => {
      c.frames.push(JSON.parse(String(data)));
      c.waiters = c.waiters.filter((w) => !w());
    });
    await new Promise((resolve, reject) => c.socket.once("open", resolve).once("error", reject));
    // On the server's fan-out once a ping has come back.
    c.send("ping");
    await c.next((f) => f.type === "pong");
    return c;
  }

  send(type, data) {
    this.socket.send(JSON.stringify(data === undefined ? { type } : { type, data }));
  }

  /** The first frame received that `match`es, waiting up to 10 s for it. */
  next(match) {
    const found = () => this.frames.find(match);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such frame in ${JSON.stringify(this.frames)}`)), 10_000);
      const check = () => {
        const f = found();
        if (f) {
          clearTimeout(timer);
          resolve(f);
        }
        return Boolean(f);
      };
      if (!check()) this.waiters.push(check);
    });
  }

  /** Every frame about message `id` up to its `stream_end`. */
  async answer(id) {
    await this.next((f) => f.type === "stream_end" && f.data.message_id === id);
    const end = this.frames.findIndex((f) => f.type === "stream_end" && f.data.message_id === id);
    return this.frames.slice(0, end + 1).filter((f) => f.data?.message_id === id);
  }

  close() {
    this.socket.close();
  }
}

const ofType = (frames, type) => frames.filter((f) => f.type === type);

test("the asking connection gets every chunk; the other none, and the same answer whole", async () => {
  const server = await startServer();
  const desktop = await Client.open(server);
  const phone = await Client.open(server);
  try {
    desktop.send("send_message", { content: "add buy milk to my todo list" });
    const start = await desktop.next((f) => f.type === "stream_start");
    const id = start.data.message_id;
    const asker = await desktop.answer(id);
    const other = await phone.answer(id);

    const chunks = ofType(asker, "stream_chunk");
    assert.ok(chunks.length > 0, "the asker gets chunks");
    assert.deepEqual(chunks.map((c) => c.data.index), chunks.map((_, i) => i), "every chunk, in order");
    const text = chunks.map((c) => c.data.content).join("");
    assert.match(text, /buy milk/);
    assert.deepEqual(ofType(other, "stream_chunk"), [], "the other connection gets no chunk");
    assert.deepEqual(ofType(other, "stream_start"), [start]);
    const [end] = ofType(other, "stream_end");
    assert.equal(end.data.full_content, text, "stream_end carries the whole answer");
    assert.deepEqual(ofType(asker, "stream_end"), [end]);
    for (const frames of [asker, other]) {
      const cards = ofType(frames, "action_card");
      assert.equal(cards.length, 1, "the card once");
      assert.equal(cards[0].data.card_type, "todo_created");
    }
    // Each connection gets the answer's frames in their order: start, (chunks), card, end.
    const order = (frames) => frames.map((f) => f.type).filter((t) => t !== "query-result");
    assert.deepEqual(order(asker), ["stream_start", ...chunks.map(() => "stream_chunk"), "action_card", "stream_end"]);
    assert.deepEqual(order(other), ["stream_start", "action_card", "stream_end"]);
  } finally {
    desktop.close();
    phone.close();
    await server.stop();
  }
});

test("a connection that drops mid-answer gets the finished answer through the catch-up", async () => {
  const model = await standInModel();
  const server = await startServer({ AI_PROVIDER: "openai", AI_BASE_URL: model.url, AI_MODEL: "stand-in", AI_TIMEOUT: "30" });
  const asking = await Client.open(server);
  const other = await Client.open(server);
  try {
    asking.send("send_message", { content: "tell me a story" });
    const first = await asking.next((f) => f.type === "stream_chunk");
    assert.equal(first.data.content, "Once upon a time");
    const id = first.data.message_id;
    const { conversation_id: conversation } = (await asking.next((f) => f.type === "stream_start")).data;
    asking.close(); // gone before the model says the rest
    model.release();
    const [end] = ofType(await other.answer(id), "stream_end");
    assert.equal(end.data.full_content, "Once upon a time there was a tiny robot.");

    // Back: a new connection, and the messages after the last one it had (its question).
    const back = await Client.open(server);
    back.close();
    const path = `/api/chat/conversations/${conversation}/messages`;
    const question = (await server.get(path)).items[0];
    assert.equal(question.content, "tell me a story");
    const missed = await server.get(`${path}?after=${question.id}`);
    assert.deepEqual(
      missed.items.map((m) => [m.id, m.role, m.content]),
      [[id, "assistant", end.data.full_content]],
    );
  } finally {
    other.close();
    await server.stop();
    model.close();
  }
});
