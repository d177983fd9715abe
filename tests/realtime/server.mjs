// Starts the real clawchat-server on a free loopback port with a fresh data folder, and a
// stand-in speech service when asked. Shared by the Socket.IO client tests.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PIN = "864213579";

export function binary() {
  const target = process.env.CARGO_TARGET_DIR || new URL("../../target", import.meta.url).pathname;
  return process.env.CLAWCHAT_BIN || join(target, "debug", "clawchat-server");
}

/** A transcription service that hears `text` in any recording. */
export async function standInStt(text) {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.url === "/v1/audio/transcriptions" ? { text } : { error: "not found" }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

export async function startServer(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "clawchat-sio-"));
  const child = spawn(binary(), ["serve"], {
    env: { ...process.env, CLAWCHAT_DATA_DIR: dir, PORT: "0", HOST: "127.0.0.1", PIN, TZ: "UTC", AI_PROVIDER: "builtin", ENABLE_SCHEDULER: "false", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const m = seen.match(/running at (http:\/\/[0-9.:]+)\//);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pin: PIN }),
  });
  const { access_token: token } = await login.json();
  return {
    base,
    token,
    get: async (path) => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).json(),
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
