// What the UI tests share: the real clawchat-server (debug build) on a free port with a
// fresh data folder and a known PIN; a stand-in model service speaking the
// OpenAI-compatible streaming wire format; and Debian's chromium, started with exactly
// the flags below and a fresh profile, driven over CDP by playwright-core.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const PIN = "20262026";
export const ARTIFACTS = new URL("../artifacts/ui/", import.meta.url).pathname;
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function binary() {
  const target = process.env.CARGO_TARGET_DIR || new URL("../../target", import.meta.url).pathname;
  return process.env.CLAWCHAT_BIN || join(target, "debug", "clawchat-server");
}

/**
 * A stand-in for an OpenAI-compatible model service. "tell me a story" streams its first
 * words, then waits until the test calls `release()` before the rest; a request to add
 * something to the todo list answers with a `create_todo` tool call; anything else gets
 * a short streamed sentence.
 */
export async function standInModel() {
  let waiting = [];
  const sse = (res, obj) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
  const chunk = (delta, finish = null) => ({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    model: "stand-in",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      if (req.url.endsWith("/models")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ object: "list", data: [{ id: "stand-in", object: "model" }] }));
        return;
      }
      const request = JSON.parse(body || "{}");
      const last = [...(request.messages ?? [])].reverse().find((m) => m.role === "user")?.content ?? "";
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      if (/story/i.test(last)) {
        sse(res, chunk({ role: "assistant", content: "Once upon a time" }));
        await new Promise((resolve) => waiting.push(resolve));
        for (const word of [" there", " was", " a", " tiny", " robot."]) sse(res, chunk({ content: word }));
        sse(res, chunk({}, "stop"));
      } else if (/todo list/i.test(last)) {
        const title = /add (.+?) to my todo list/i.exec(last)?.[1] ?? "something";
        sse(res, chunk({ role: "assistant", tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "create_todo", arguments: "" } }] }));
        sse(res, chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify({ title }) } }] }));
        sse(res, chunk({}, "tool_calls"));
      } else {
        sse(res, chunk({ role: "assistant", content: "Sure." }));
        sse(res, chunk({}, "stop"));
      }
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, release: () => waiting.splice(0).forEach((go) => go()), close: () => server.close() };
}

export async function startServer(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "clawchat-ui-"));
  const child = spawn(binary(), ["serve"], {
    env: {
      ...process.env,
      CLAWCHAT_DATA_DIR: dir,
      PORT: "0",
      HOST: "127.0.0.1",
      PIN,
      JWT_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e-secret",
      TZ: "UTC",
      ENABLE_SCHEDULER: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (c) => {
      seen += c;
      const m = seen.match(/running at (http:\/\/[0-9.:]+)\//);
      if (m) resolve(m[1]);
    });
    child.on("error", (e) => reject(new Error(`cannot start ${binary()}: ${e.message} (run cargo build -p clawchat-server)`)));
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const login = await (
    await fetch(`${base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pin: PIN }) })
  ).json();
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${login.access_token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    base,
    call,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's chromium with the listed flags and a fresh profile, driven over CDP. */
export async function startBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "clawchat-chromium-"));
  const child = spawn(CHROMIUM, [...FLAGS, "--headless", `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const endpoint = await new Promise((resolve, reject) => {
    let seen = "";
    child.stderr.on("data", (c) => {
      seen += c;
      const m = seen.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("error", (e) => reject(new Error(`cannot start ${CHROMIUM}: ${e.message} (apt-get install chromium)`)));
    child.on("exit", (code) => reject(new Error(`chromium exited with ${code}: ${seen}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    stop: async () => {
      await browser.close().catch(() => {});
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
      // Chromium's helpers may still be closing files in the profile.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch {}
    },
  };
}

/** Logs `page` in with the PIN and waits for the Today view's greeting. */
export async function logIn(page) {
  await page.getByLabel("PIN").fill(PIN);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { level: 1, name: /^(Good|Hello)/ }).waitFor();
}

/** A new page of `browser` with `options` (viewport, colour scheme), opened on the server
 *  and logged in. */
export async function loggedInPage(browser, server, options) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  await logIn(page);
  return { context, page };
}

export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}
