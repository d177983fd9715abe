// ClawChat as an MCP server, driven by the MCP Inspector's CLI mode
// (@modelcontextprotocol/inspector), over Streamable HTTP at /mcp and over stdio through
// `clawchat-server mcp --url`: tools and resources listed, a todo made and seen in the API,
// Today read, a delete that waits for the user's yes, a revoked token refused.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { binary, startServer } from "../realtime/server.mjs";

const inspectorBin = fileURLToPath(new URL("../node_modules/.bin/mcp-inspector", import.meta.url));

let server;
let client;

async function rest(method, path, body) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Runs the Inspector's CLI; resolves with its exit code, output and error output. */
function inspector(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(inspectorBin, ["--cli", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const overHttp = (token = client.token) => [
  `${server.base}/mcp`,
  "--transport",
  "http",
  "--header",
  `Authorization: Bearer ${token}`,
];
const overStdio = (token = client.token) => [
  "-e",
  `CLAWCHAT_MCP_TOKEN=${token}`,
  binary(),
  "mcp",
  "--url",
  server.base,
];

async function json(args) {
  const run = await inspector(args);
  assert.equal(run.code, 0, `the inspector failed: ${run.err}${run.out}`);
  return JSON.parse(run.out);
}

before(async () => {
  server = await startServer();
  assert.equal((await rest("PATCH", "/api/settings", { mcp_enabled: true })).status, 200);
  client = (await rest("POST", "/api/mcp/clients", { name: "MCP Inspector" })).body;
});

after(async () => {
  await server.stop();
});

for (const [transport, via] of [
  ["Streamable HTTP", overHttp],
  ["stdio", overStdio],
]) {
  test(`over ${transport}: the organiser tools and the resources are listed, never a host tool`, async () => {
    const { tools } = await json([...via(), "--method", "tools/list"]);
    const names = tools.map((t) => t.name);
    for (const name of ["create_todo", "delete_todo", "query_events", "create_memo", "search", "daily_briefing"]) {
      assert.ok(names.includes(name), name);
    }
    for (const name of ["executor_shell", "file_read", "file_create", "open_app"]) {
      assert.ok(!names.includes(name), name);
    }
    const { resources } = await json([...via(), "--method", "resources/list"]);
    assert.deepEqual(resources.map((r) => r.uri).sort(), [
      "clawchat://events/week",
      "clawchat://memos",
      "clawchat://today",
      "clawchat://todos/open",
    ]);
  });

  test(`over ${transport}: a created todo is in the API, and Today shows it`, async () => {
    const title = `pick up the parcel (${transport})`;
    const today = new Date().toISOString().slice(0, 10);
    const made = await json([
      ...via(),
      "--method",
      "tools/call",
      "--tool-name",
      "create_todo",
      "--tool-arg",
      `title=${title}`,
      `due_date=${today}`,
    ]);
    assert.equal(made.isError, false);
    assert.equal(made.structuredContent.todo.title, title);
    const todos = (await rest("GET", "/api/todos?limit=100")).body.items;
    assert.ok(todos.some((t) => t.title === title));

    const read = await json([...via(), "--method", "resources/read", "--uri", "clawchat://today"]);
    const day = JSON.parse(read.contents[0].text);
    assert.equal(day.date, today);
    assert.ok(day.today_tasks.some((t) => t.title === title));
  });
}

test("a delete waits for the user's yes in ClawChat, then deletes", async () => {
  await rest("POST", "/api/todos", { title: "shred old letters" });
  const call = inspector([
    ...overHttp(),
    "--method",
    "tools/call",
    "--tool-name",
    "delete_todo",
    "--tool-arg",
    "title=shred old letters",
  ]);
  let waiting;
  for (let i = 0; i < 400 && !waiting; i++) {
    [waiting] = (await rest("GET", "/api/tasks?status=awaiting_approval")).body.items;
    if (!waiting) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(waiting, "the delete came to wait for approval");
  assert.equal(waiting.requested_by, "MCP Inspector");
  assert.ok((await rest("GET", "/api/todos?limit=100")).body.items.some((t) => t.title === "shred old letters"));
  assert.equal((await rest("POST", `/api/tasks/${waiting.task_id}/approve`)).status, 200);
  const run = await call;
  assert.equal(run.code, 0, run.err);
  assert.equal(JSON.parse(run.out).isError, false);
  assert.ok(!(await rest("GET", "/api/todos?limit=100")).body.items.some((t) => t.title === "shred old letters"));
});

test("a revoked token is refused over both transports", async () => {
  const doomed = (await rest("POST", "/api/mcp/clients", { name: "Doomed" })).body;
  await json([...overHttp(doomed.token), "--method", "tools/list"]);
  assert.equal((await rest("DELETE", `/api/mcp/clients/${doomed.id}`)).status, 204);
  for (const via of [overHttp, overStdio]) {
    const run = await inspector([...via(doomed.token), "--method", "tools/list"]);
    assert.notEqual(run.code, 0, run.out);
  }
  const bridged = await inspector([...overStdio(doomed.token), "--method", "tools/list"]);
  assert.match(bridged.out + bridged.err, /revoked/);
});
