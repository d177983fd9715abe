// A one-time sign-in code asked for on a server without SMTP shows up in Settings, as the
// pairing code does: the owner's open Settings page shows the code, the e-mail it is for
// and until when, without a reload; the code shown signs in, and then its card goes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { loggedInPage, shot, startBrowser, startServer } from "./harness.mjs";

let chromium;
let server;
before(async () => {
  chromium = await startBrowser();
  server = await startServer({ AI_PROVIDER: "builtin" });
});
after(async () => {
  await chromium?.stop();
  await server?.stop();
});

async function post(path, body) {
  const r = await fetch(`${server.base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

test("a code asked for without SMTP is shown in Settings until it signs in", async () => {
  const { context, page } = await loggedInPage(chromium.browser, server, { viewport: { width: 1280, height: 800 } });
  try {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    const section = page.getByRole("region", { name: "Sign-in codes" });
    assert.equal(await section.count(), 0, "no card while no code waits");

    const asked = await post("/api/auth/register", { email: "Ana@Example.com" });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const card = page.getByRole("listitem", { name: "Sign-in code for ana@example.com" });
    await card.waitFor();
    const text = await card.innerText();
    const code = /Code for ana@example\.com: (\d{6})/.exec(text)?.[1];
    assert.ok(code, `the card shows a 6-digit code: ${text}`);
    const [listed] = (await server.call("GET", "/api/auth/codes")).items;
    assert.match(text, new RegExp(`until .*${listed.expires_at.slice(11, 16)}`), "and until when it works");
    await shot(page, "desktop-settings-sign-in-code");

    // The code on the card is the one that signs in; used, its card goes by itself.
    const signedIn = await post("/api/auth/verify-otp", { email: "ana@example.com", otp: code });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.ok(signedIn.body.access_token);
    await section.waitFor({ state: "detached" });
  } finally {
    await context.close();
  }
});
