// UI figures for BENCHMARKS.md: the gzipped JS and CSS the first screen loads, the time
// to the first render of Today in headless chromium against the local server, and how the
// chat behaves with 5,000 messages in one conversation (virtualised list).
//
//   make ui && cargo build --release -p clawchat-server
//   CLAWCHAT_BIN=target/release/clawchat-server node tests/bench/ui_bench.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { PIN, startBrowser, startServer } from "../e2e/harness.mjs";

const DIST = new URL("../../ui/dist/", import.meta.url).pathname;
const RUNS = Number(process.env.RUNS || 15);

function firstScreenBytes() {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  let raw = 0;
  let gz = 0;
  for (const a of assets) {
    const bytes = readFileSync(join(DIST, a));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  return { assets, raw, gz };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

async function login(base) {
  const r = await fetch(`${base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pin: PIN }) });
  return r.json();
}

/** Milliseconds from navigation start until Today's greeting is on screen. */
async function timeToToday(browser, base, tokens) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((t) => {
    localStorage.setItem("clawchat.tokens", JSON.stringify(t));
    new MutationObserver((_, observer) => {
      const h1 = document.querySelector("h1");
      if (h1 && /^(Good|Hello)/.test(h1.textContent || "")) {
        window.__todayAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  }, { access_token: tokens.access_token, refresh_token: tokens.refresh_token });
  const page = await context.newPage();
  await page.goto(`${base}/today`);
  await page.waitForFunction(() => typeof window.__todayAt === "number");
  const ms = await page.evaluate(() => window.__todayAt);
  await context.close();
  return ms;
}

function seed(dbPath, count) {
  const script = `
import sqlite3, sys, time, uuid
db = sqlite3.connect(sys.argv[1]); now = int(time.time() * 1000); conv = uuid.uuid4().hex
db.execute("INSERT INTO conversations (id, title, kind, created_at, updated_at) VALUES (?, 'Long conversation', 'chat', ?, ?)", (conv, now, now))
rows = []
for i in range(int(sys.argv[2])):
    role = 'user' if i % 2 == 0 else 'assistant'
    text = f"Message {i}: " + ("a longer answer that wraps over more than one line in the thread, " * (1 + i % 3) if role == 'assistant' else "what is on my list today?")
    rows.append((uuid.uuid4().hex, conv, role, text, now - (int(sys.argv[2]) - i) * 1000))
db.executemany("INSERT INTO messages (id, conversation_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)", rows)
db.commit(); print(conv)
`;
  return execFileSync("python3", ["-c", script, dbPath, String(count)], { encoding: "utf8" }).trim();
}

async function scrollFrames(page) {
  // Scroll from the bottom to the top in 100 steps, one frame each, and time the frames.
  return page.evaluate(async () => {
    const list = document.querySelector(".vlist");
    const times = [];
    const step = list.scrollHeight / 100;
    for (let i = 0; i < 100; i++) {
      const start = performance.now();
      list.scrollTop = list.scrollHeight - (i + 1) * step;
      list.dispatchEvent(new Event("scroll"));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      times.push(performance.now() - start);
    }
    return times;
  });
}

async function chatWith5000(browser, base, tokens, conv) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((t) => localStorage.setItem("clawchat.tokens", JSON.stringify(t)), tokens);
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${base}/chat?c=${conv}`);
  await page.getByText("Message 4999:").waitFor();
  const openMs = Date.now() - t0;
  // The list holds the latest 300 of the 5,000; older pages load on request.
  const rendered = await page.locator(".vlist-row").count();
  const frames = await scrollFrames(page);
  const topVisible = await page.getByText("Message 4700:").isVisible();
  // Then every earlier page, until all 5,000 are in the list, and the same scroll again.
  const t1 = Date.now();
  while (await page.locator(".load-older").count()) {
    const first = await page.locator(".msg").first().getAttribute("data-message-id");
    await page.locator(".load-older").click({ timeout: 10_000 });
    await page.waitForFunction((id) => document.querySelector(".msg")?.getAttribute("data-message-id") !== id || !document.querySelector(".load-older"), first);
  }
  const loadAllMs = Date.now() - t1;
  const framesAll = await scrollFrames(page);
  const renderedAll = await page.locator(".vlist-row").count();
  const firstReached = await page.getByText("Message 0:").isVisible();
  // Typing in Message: time from a key to the next painted frame.
  const box = page.getByRole("textbox", { name: "Message" });
  await box.focus();
  const keys = [];
  for (const ch of "what is on my list") {
    await page.evaluate(() => (window.__k = performance.now()));
    await page.keyboard.type(ch);
    keys.push(await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now() - window.__k)))));
  }
  await context.close();
  return { openMs, loadAllMs, framesAll, renderedAll, firstReached, rendered, frames, topVisible, keys };
}

const size = firstScreenBytes();
console.log(`first screen: ${size.assets.join(", ")}: ${(size.raw / 1024).toFixed(1)} KiB raw, ${(size.gz / 1024).toFixed(1)} KiB gzipped`);

const chromium = await startBrowser();
const dir = mkdtempSync(join(tmpdir(), "clawchat-uibench-"));
try {
  // First start creates the database; then 5,000 messages are planted and it starts again.
  let server = await startServer({ CLAWCHAT_DATA_DIR: dir, AI_PROVIDER: "builtin" });
  await server.stop();
  const conv = seed(join(dir, "clawchat.db"), 5000);
  server = await startServer({ CLAWCHAT_DATA_DIR: dir, AI_PROVIDER: "builtin" });
  for (let i = 0; i < 5; i++) await server.call("POST", "/api/todos", { title: `todo ${i}`, due_date: new Date().toISOString().slice(0, 10) });
  const tokens = await login(server.base);
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await timeToToday(chromium.browser, server.base, tokens));
  console.log(`Today first render (fresh context each, ${RUNS} runs): median ${median(times).toFixed(0)} ms, p95 ${p95(times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
  const chat = await chatWith5000(chromium.browser, server.base, tokens, conv);
  console.log(`chat, 5,000 messages: opened (latest 300 loaded) in ${chat.openMs} ms; ${chat.rendered} rows in the DOM`);
  console.log(`  scrolling bottom to top in 100 steps: frame median ${median(chat.frames).toFixed(1)} ms, p95 ${p95(chat.frames).toFixed(1)} ms, max ${Math.max(...chat.frames).toFixed(1)} ms; oldest loaded message reached: ${chat.topVisible}`);
  console.log(`  all 5,000 loaded (46 more pages) in ${chat.loadAllMs} ms; ${chat.renderedAll} rows in the DOM; scrolling all of them bottom to top: frame median ${median(chat.framesAll).toFixed(1)} ms, p95 ${p95(chat.framesAll).toFixed(1)} ms, max ${Math.max(...chat.framesAll).toFixed(1)} ms; first message reached: ${chat.firstReached}`);
  console.log(`  typing in Message: key to next frame median ${median(chat.keys).toFixed(1)} ms, max ${Math.max(...chat.keys).toFixed(1)} ms`);
  await server.stop();
} finally {
  await chromium.stop();
  rmSync(dir, { recursive: true, force: true });
}
