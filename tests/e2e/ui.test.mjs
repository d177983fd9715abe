// The UI end to end: Debian's chromium against the real headless server with a real
// database, at a desktop size and at a 390 x 844 phone size. Screenshots of every view
// go to tests/artifacts/ui/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { logIn, shot, standInModel, startBrowser, startServer } from "./harness.mjs";

const VIEWPORTS = [
  { tag: "desktop", viewport: { width: 1280, height: 800 } },
  { tag: "phone", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

let chromium;
before(async () => {
  chromium = await startBrowser();
});
after(async () => {
  await chromium?.stop();
});

async function openPage(server, { viewport, isMobile, hasTouch }) {
  const context = await chromium.browser.newContext({ viewport, isMobile, hasTouch });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // Failed requests are judged by their URL below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    // The wrong-PIN test's 401, and the optional LAN and device routes, which Settings
    // shows only when the server has them.
    const expected = (r.status() === 401 && path === "/api/auth/login") || (r.status() === 404 && ["/api/lan", "/api/devices"].includes(path));
    if (r.status() >= 400 && !expected) problems.push(`${r.status()} ${path}`);
  });
  await page.goto(`${server.base}/`);
  return { context, page, problems };
}


async function go(page, name) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
  await page.waitForURL(new RegExp(`/${name.toLowerCase()}$`));
}

function today() {
  return new Date().toISOString().slice(0, 10); // the server runs in UTC
}

for (const { tag, ...options } of VIEWPORTS) {
  describe(`the UI at ${tag} size`, () => {
    let model;
    let server;
    let page;
    let context;
    let problems;

    before(async () => {
      model = await standInModel();
      server = await startServer({ AI_PROVIDER: "openai", AI_BASE_URL: model.url, AI_MODEL: "stand-in", AI_TIMEOUT: "30" });
      ({ page, context, problems } = await openPage(server, options));
    });
    after(async () => {
      await context?.close();
      await server?.stop();
      model?.close();
    });

    test("a wrong PIN is refused with a message, the right one logs in", async () => {
      await shot(page, `${tag}-login`);
      await page.getByLabel("PIN").fill("00000000");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("alert").waitFor();
      await logIn(page);
      await shot(page, `${tag}-today`);
    });

    test("a request in Message becomes an action card and the todo shows in Todos", async () => {
      await go(page, "Chat");
      await page.getByRole("textbox", { name: "Message" }).fill("add buy milk to my todo list");
      await page.getByRole("button", { name: "Send" }).click();
      const card = page.getByRole("article", { name: "Todo created" });
      await card.waitFor();
      assert.match(await card.innerText(), /buy milk/);
      assert.ok(await card.getByRole("button", { name: "Undo" }).isVisible(), "the card offers Undo");
      await shot(page, `${tag}-chat-card`);
      await go(page, "Todos");
      await page.getByRole("list", { name: "Todos" }).getByText("buy milk", { exact: true }).waitFor();
      await shot(page, `${tag}-todos`);
    });

    test("a streamed answer grows token by token", async () => {
      await go(page, "Chat");
      await page.getByRole("textbox", { name: "Message" }).fill("tell me a story");
      await page.getByRole("button", { name: "Send" }).click();
      const streaming = page.locator('.msg.assistant[aria-busy="true"]');
      await streaming.getByText("Once upon a time").waitFor();
      assert.doesNotMatch(await streaming.innerText(), /tiny robot/, "the rest has not come yet");
      assert.ok(await page.getByRole("button", { name: "Stop" }).isVisible(), "Stop shows while streaming");
      await shot(page, `${tag}-chat-streaming`);
      model.release();
      await page.locator('.msg.assistant[aria-busy="false"]').getByText("Once upon a time there was a tiny robot.").waitFor();
      await shot(page, `${tag}-chat`);
    });

    test("completing a todo updates Today, and changes from elsewhere show without a reload", async () => {
      const rent = await server.call("POST", "/api/todos", { title: "pay rent", due_date: today() });
      await go(page, "Today");
      const due = page.getByRole("region", { name: "Due today" });
      await due.getByText("pay rent").waitFor();
      // A click, not check(): the done todo leaves the list as soon as the server answers,
      // which can be before check() looks at the box it ticked.
      await due.getByRole("checkbox", { name: "Complete pay rent" }).click();
      await due.getByText("pay rent").waitFor({ state: "detached" });
      assert.equal((await server.call("GET", `/api/todos/${rent.id}`)).status, "completed", "the click completed it");
      // Another device adds and completes one: the open view follows.
      const other = await server.call("POST", "/api/todos", { title: "call the bank", due_date: today() });
      await due.getByText("call the bank").waitFor();
      await server.call("POST", `/api/todos/${other.id}/complete`);
      await due.getByText("call the bank").waitFor({ state: "detached" });
      await shot(page, `${tag}-today-after`);
    });

    test("every view opens, by link and by its own address", async () => {
      for (const [name, heading] of [["Calendar", "Calendar"], ["Memos", "Memos"], ["Search", "Search"], ["Settings", "Settings"]]) {
        await go(page, name);
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        await shot(page, `${tag}-${name.toLowerCase()}`);
      }
      await page.goto(`${server.base}/todos`);
      await page.getByRole("list", { name: "Todos" }).getByText("buy milk", { exact: true }).waitFor();
      assert.deepEqual(problems, [], "no script errors, no CSP violations, no failed requests");
    });
  });
}
