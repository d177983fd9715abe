// The other views, driven the way a person uses them, at desktop size against a server
// that answers with its built-in parser: quick add with removable chips, memos, the
// calendar with recurrence, search, approvals for host tools, and the settings screen.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { loggedInPage, shot, standInModel, startBrowser, startServer } from "./harness.mjs";

let chromium;
let server;
let model;
let page;

before(async () => {
  chromium = await startBrowser();
  model = await standInModel();
  server = await startServer({ AI_PROVIDER: "builtin" });
  ({ page } = await loggedInPage(chromium.browser, server, { viewport: { width: 1280, height: 800 } }));
});
after(async () => {
  await chromium?.stop();
  await server?.stop();
  model?.close();
});

async function go(name, heading = name) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

describe("the views at desktop size", () => {
  test("quick add previews what the parser understood, and a removed chip is not saved", async () => {
    await go("Todos");
    await page.keyboard.press("Control+k");
    const dialog = page.getByRole("dialog", { name: "Quick add" });
    await dialog.getByRole("textbox", { name: "What to add" }).fill("remind me to call the dentist tomorrow at 3pm");
    const chips = dialog.getByRole("list", { name: "What will be saved" });
    await chips.getByText("Title: call the dentist").waitFor();
    await chips.getByText(/^Due: .*15:00/).waitFor();
    await shot(page, "desktop-quick-add");
    await chips.getByRole("button", { name: "Remove Due" }).click();
    await chips.getByText(/^Due:/).waitFor({ state: "detached" });
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("list", { name: "Todos" }).getByText("call the dentist", { exact: true }).waitFor();
    const stored = await server.call("GET", "/api/todos?q=dentist");
    assert.equal(stored.items.length, 1);
    assert.equal(stored.items[0].due_date, null, "the removed due date was not saved");
  });

  test("a pinned markdown memo renders formatted and shows on Today", async () => {
    await go("Memos");
    await page.getByRole("button", { name: "New memo" }).click();
    const dialog = page.getByRole("dialog", { name: "New memo" });
    await dialog.getByLabel("Title").fill("Wifi");
    await dialog.getByLabel("Text (Markdown)").fill("The **password** is on the router\n\n- ask first\n- <script>alert(1)</script>");
    await dialog.getByRole("checkbox", { name: "Pinned" }).check();
    await dialog.getByRole("button", { name: "Save" }).click();
    const memo = page.getByRole("article", { name: "Wifi" });
    await memo.locator("strong", { hasText: "password" }).waitFor();
    assert.equal(await memo.locator("script").count(), 0, "markup in a memo is shown as text");
    assert.match(await memo.innerText(), /<script>alert\(1\)<\/script>/);
    await shot(page, "desktop-memos-filled");
    await go("Today", /^(Good|Hello)/);
    await page.getByRole("region", { name: "Pinned memos" }).getByText("Wifi").waitFor();
  });

  test("an event that repeats every weekday shows in the week view", async () => {
    await go("Calendar");
    await page.getByRole("button", { name: "New event" }).click();
    const dialog = page.getByRole("dialog", { name: "New event" });
    await dialog.getByLabel("Title").fill("Standup");
    await dialog.getByLabel("Starts").fill("09:30");
    await dialog.getByLabel("Ends").fill("09:45");
    await dialog.getByLabel("Repeats").selectOption({ label: "Every weekday" });
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Week", exact: true }).click();
    await page.getByRole("button", { name: "Later" }).click();
    // Next week holds five occurrences, Monday to Friday, and none at the weekend.
    const week = page.locator(".cal-week");
    await week.getByRole("region").nth(4).getByText("Standup").waitFor();
    assert.equal(await week.getByText("Standup").count(), 5);
    assert.equal(await week.getByRole("region").nth(5).getByText("Standup").count(), 0);
    const stored = await server.call("GET", "/api/events?limit=100");
    assert.equal(stored.items[0].recurrence_rule, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    await shot(page, "desktop-calendar-week");
  });

  test("search finds across todos and memos with the match highlighted", async () => {
    await server.call("POST", "/api/todos", { title: "buy oat milk" });
    await go("Search");
    await page.getByRole("searchbox", { name: "Search everything" }).fill("milk");
    const results = page.getByRole("list", { name: "Results" });
    await results.locator("mark", { hasText: /milk/i }).first().waitFor();
    await shot(page, "desktop-search-results");
  });

  test("a host tool waits for Allow or Deny and shows exactly what would run", async () => {
    await go("Chat");
    await page.getByRole("textbox", { name: "Message" }).fill("run the command ls -la");
    await page.getByRole("button", { name: "Send" }).click();
    const approval = page.getByRole("region", { name: "Approval needed: executor_shell" });
    await approval.waitFor();
    assert.match(await approval.innerText(), /"command": "ls -la"/);
    assert.ok(await approval.getByRole("button", { name: "Allow" }).isVisible());
    await shot(page, "desktop-approval");
    await approval.getByRole("button", { name: "Deny" }).click();
    await approval.waitFor({ state: "detached" });
    // The plan reports back in the thread: the denied command was cancelled.
    await page.getByRole("article", { name: "Task" }).getByText(/executor_shell: cancelled/).waitFor();
    const tasks = await server.call("GET", "/api/tasks?limit=100");
    assert.ok(tasks.items.some((t) => t.tool === "executor_shell" && t.status === "cancelled"), JSON.stringify(tasks.items));
  });

  test("settings test the model connection, move the briefing at once and say when a change waits for a restart", async () => {
    await go("Settings");
    await page.getByRole("textbox", { name: "Base URL" }).fill(model.url);
    await page.getByRole("textbox", { name: "Model", exact: true }).fill("stand-in");
    await page.getByRole("button", { name: "Test connection" }).click();
    // The answer names the server reached, how long it took and the model found.
    await page.getByText(/connected to .+ in \d+ ms; stand-in is available/).waitFor();
    // The briefing follows a new time without a restart.
    await page.getByLabel("Daily briefing at").fill("07:15");
    await page.getByRole("button", { name: "Save time settings" }).click();
    await page.getByRole("status").filter({ hasText: /^Saved the time settings\.$/ }).waitFor();
    const stored = await server.call("GET", "/api/settings");
    assert.equal(stored.briefing_time, "07:15");
    assert.equal(stored.restart_required, false);
    // A new time zone reaches the rest of the app after a restart, and the page says so.
    await page.getByLabel("Time zone").fill("Asia/Tokyo");
    await page.getByRole("button", { name: "Save time settings" }).click();
    await page.getByText(/Saved the time settings\. It applies after a restart/).waitFor();
    await shot(page, "desktop-settings-saved");
  });

  test("settings let other apps in over MCP: the switch, an app's snippet with its token, revoking it", async () => {
    await go("Settings");
    const mcp = page.getByRole("region", { name: "Other apps (MCP)" });
    const toggle = mcp.getByRole("checkbox", { name: "Let other apps use ClawChat (MCP)" });
    assert.equal(await toggle.isChecked(), false, "off until the user turns it on");
    await toggle.check();
    for (let i = 0; i < 100 && !(await server.call("GET", "/api/settings")).mcp_enabled; i++) await page.waitForTimeout(50);
    assert.equal((await server.call("GET", "/api/settings")).mcp_enabled, true);

    await mcp.getByRole("textbox", { name: "App name" }).fill("Claude Desktop");
    await mcp.getByRole("button", { name: "Add an app" }).click();
    const snippet = JSON.parse(await mcp.getByTestId("mcp-snippet-stdio").innerText());
    const entry = snippet.mcpServers.clawchat;
    assert.deepEqual([entry.command, entry.args], ["clawchat-server", ["mcp"]]);
    const token = entry.env.CLAWCHAT_MCP_TOKEN;
    assert.match(token, /^clawchat_mcp_/);
    const http = JSON.parse(await mcp.getByTestId("mcp-snippet-http").innerText()).mcpServers.clawchat;
    assert.equal(http.headers.Authorization, `Bearer ${token}`);
    // The pasted token works at the pasted address.
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e", version: "1" } } };
    const mcpPost = () => fetch(http.url, { method: "POST", headers: { authorization: http.headers.Authorization, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(init) });
    const answered = await mcpPost();
    assert.equal(answered.status, 200);
    await answered.body?.cancel();
    await shot(page, "desktop-settings-mcp");

    await mcp.getByRole("listitem").filter({ hasText: "Claude Desktop" }).getByRole("button", { name: "Revoke" }).click();
    await mcp.getByRole("listitem").filter({ hasText: "Claude Desktop" }).waitFor({ state: "detached" });
    assert.equal((await mcpPost()).status, 401, "the revoked token stops working at once");
  });
});

describe("dark mode", () => {
  test("follows the system's dark scheme", async () => {
    const { context, page: dark } = await loggedInPage(chromium.browser, server, {
      viewport: { width: 1280, height: 800 },
      colorScheme: "dark",
    });
    const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, "rgb(11, 17, 32)", "the dark palette applies");
    await shot(dark, "desktop-dark-today");
    await dark.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
    await dark.getByRole("textbox", { name: "Message" }).waitFor();
    await shot(dark, "desktop-dark-chat");
    await context.close();
  });
});
