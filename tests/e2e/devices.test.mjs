// Two pages of one user, each logged in on its own (a desktop and a phone), on the same
// conversation: the page that asks sees its answer grow chunk by chunk; the other shows
// the question, then the answer whole when its stream_end arrives, and its socket never
// receives a chunk.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { logIn, shot, standInModel, startBrowser, startServer } from "./harness.mjs";

let chromium;
let model;
let server;
before(async () => {
  chromium = await startBrowser();
  model = await standInModel();
  server = await startServer({ AI_PROVIDER: "openai", AI_BASE_URL: model.url, AI_MODEL: "stand-in", AI_TIMEOUT: "30" });
});
after(async () => {
  await chromium?.stop();
  await server?.stop();
  model?.close();
});

/** A page in a context of its own, logged in, that records the chunks its sockets receive. */
async function device(viewport) {
  const context = await chromium.browser.newContext({ viewport });
  const page = await context.newPage();
  const chunks = [];
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      const frame = JSON.parse(String(payload));
      if (frame.type === "stream_chunk") chunks.push(frame.data.content);
    }),
  );
  await page.goto(`${server.base}/`);
  await logIn(page);
  return { context, page, chunks };
}

async function ask(page, text) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

test("the other device shows the answer whole when it ends, without its chunks", async () => {
  const desktop = await device({ width: 1280, height: 800 });
  const phone = await device({ width: 390, height: 844 });
  try {
    await desktop.page.goto(`${server.base}/chat`);
    await ask(desktop.page, "add buy milk to my todo list");
    await desktop.page.getByRole("article", { name: "Todo created" }).waitFor();
    const [conversation] = (await server.call("GET", "/api/chat/conversations")).items;
    await phone.page.goto(`${server.base}/chat?c=${conversation.id}`);
    await phone.page.getByRole("article", { name: "Todo created" }).waitFor();

    desktop.chunks.length = 0;
    await ask(desktop.page, "tell me a story");
    await desktop.page.locator('.msg.assistant[aria-busy="true"]').getByText("Once upon a time").waitFor();
    // The phone shows the question asked on the desktop and an answer on its way, empty.
    await phone.page.locator(".msg.user").getByText("tell me a story").waitFor();
    const waiting = phone.page.locator('.msg.assistant[aria-busy="true"]');
    await waiting.waitFor();
    assert.doesNotMatch(await waiting.innerText(), /Once upon a time/, "the phone gets no chunk");
    await shot(phone.page, "phone-answer-on-its-way");

    model.release();
    const whole = "Once upon a time there was a tiny robot.";
    await desktop.page.locator('.msg.assistant[aria-busy="false"]').getByText(whole).waitFor();
    await phone.page.locator('.msg.assistant[aria-busy="false"]').getByText(whole).waitFor();
    await shot(phone.page, "phone-answer-whole");
    assert.equal(desktop.chunks.join(""), whole, "the asking page got every chunk of the story");
    assert.deepEqual(phone.chunks, [], "the phone's socket received no chunk of either answer");
    assert.equal(await phone.page.locator(".msg.user").getByText("tell me a story").count(), 1, "the question once");
  } finally {
    await desktop.context.close();
    await phone.context.close();
  }
});
