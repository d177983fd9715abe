// Text contrast, measured in the browser on every view, in light and dark: each visible
// piece of text against the background it is drawn on must meet WCAG 2.1 AA (4.5:1, or
// 3:1 for large text). Disabled controls are exempt, as WCAG allows.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { loggedInPage, startBrowser, startServer } from "./harness.mjs";

let chromium;
let server;
let page;

const VIEWS = [
  ["Today", /^(Good|Hello)/],
  ["Chat", null],
  ["Todos", "Todos"],
  ["Calendar", "Calendar"],
  ["Memos", "Memos"],
  ["Search", "Search"],
  ["Settings", "Settings"],
];

before(async () => {
  chromium = await startBrowser();
  server = await startServer({ AI_PROVIDER: "builtin" });
  // Something on every view, so lists, cards and chips are measured too.
  await server.call("POST", "/api/todos", { title: "Renew the passport", priority: "high", tags: ["admin"] });
  await server.call("POST", "/api/memos", { title: "Wifi", content: "The **password** is on the router", pinned: true });
  await server.call("POST", "/api/chat/send", { content: "add buy milk to my todo list" });
  ({ page } = await loggedInPage(chromium.browser, server, { viewport: { width: 1280, height: 800 } }));
});
after(async () => {
  await chromium?.stop();
  await server?.stop();
});

/** Every text run on the page whose contrast falls short, as readable lines. */
function shortfalls() {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    let colour = { r: 255, g: 255, b: 255, a: 1 };
    if (layers.length && layers[layers.length - 1].a >= 1) colour = layers.pop();
    else if (matchMedia("(prefers-color-scheme: dark)").matches) colour = { r: 0, g: 0, b: 0, a: 1 };
    while (layers.length) colour = over(layers.pop(), colour);
    return colour;
  };
  const luminance = ({ r, g, b }) => {
    const f = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const problems = [];
  let measured = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    if (el.closest("[disabled], [aria-disabled='true'], [aria-hidden='true']")) continue;
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    if (opacity === 0) continue;
    const bg = background(el);
    const fg = parse(style.color);
    if (!fg) continue;
    const shown = over({ ...fg, a: fg.a * opacity }, bg);
    const [hi, lo] = [luminance(shown), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    measured += 1;
    if (ratio < needed) {
      problems.push(`"${text.slice(0, 40)}" ${ratio.toFixed(2)}:1 < ${needed} (${style.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
    }
  }
  return { problems, measured };
}

for (const scheme of ["light", "dark"]) {
  describe(`text contrast in ${scheme} mode`, () => {
    test("every view meets WCAG AA", async () => {
      await page.emulateMedia({ colorScheme: scheme });
      const failures = [];
      for (const [name, heading] of VIEWS) {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
        if (heading) await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        else await page.getByRole("textbox", { name: "Message" }).waitFor();
        // Let the view's data arrive before measuring it.
        await page.waitForLoadState("networkidle");
        const { problems, measured } = await page.evaluate(shortfalls);
        assert.ok(measured >= 5, `${name}: only ${measured} pieces of text were measured`);
        for (const line of problems) failures.push(`${name}: ${line}`);
      }
      assert.deepEqual(failures, [], `text below WCAG AA contrast:\n${failures.join("\n")}`);
    });

    test("the measurement catches faint text", async () => {
      await page.emulateMedia({ colorScheme: scheme });
      const { problems } = await page.evaluate(() => {
        const faint = document.createElement("p");
        faint.textContent = "barely there";
        faint.style.cssText = "color: rgba(128, 128, 128, 0.3); position: fixed; top: 0; left: 0";
        document.body.append(faint);
        return undefined;
      }).then(() => page.evaluate(shortfalls));
      await page.evaluate(() => document.querySelector("body > p:last-child")?.remove());
      assert.ok(problems.some((p) => p.includes("barely there")), problems.join("\n"));
    });
  });
}
