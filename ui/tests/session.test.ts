import { afterEach, describe, expect, it, vi } from "vitest";
import { isDesktop, openApi, pairingCodeFromHash } from "../src/lib/api/session";

afterEach(() => {
  delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
  localStorage.clear();
});

describe("where the UI gets its server and token", () => {
  it("in the desktop window, asks the shell's desktop_session command and talks to its server", async () => {
    const invoke = vi.fn(async (cmd: string) => {
      expect(cmd).toBe("desktop_session");
      return { base_url: "http://127.0.0.1:43210", access_token: "acc", refresh_token: "ref" };
    });
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = { invoke };
    expect(isDesktop()).toBe(true);
    const api = await openApi();
    expect(invoke).toHaveBeenCalledOnce();
    expect(api.baseUrl).toBe("http://127.0.0.1:43210");
    expect(api.tokens).toEqual({ access_token: "acc", refresh_token: "ref" });
    expect(api.wsUrl()).toBe("ws://127.0.0.1:43210/ws");
  });

  it("fails clearly when the shell hands over no session", async () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = { invoke: async () => ({}) };
    await expect(openApi()).rejects.toThrow(/no session/);
  });

  it("in a browser, uses its own origin and the pair stored at login", async () => {
    expect(isDesktop()).toBe(false);
    let api = await openApi();
    expect(api.tokens).toBeNull();
    api.setTokens({ access_token: "a", refresh_token: "r" });
    api = await openApi();
    expect(api.baseUrl).toBe("");
    expect(api.tokens).toEqual({ access_token: "a", refresh_token: "r" });
    api.setTokens(null);
    expect(localStorage.length).toBe(0);
  });

  it("reads the pairing code from the QR code's #pair= link", () => {
    expect(pairingCodeFromHash("#pair=482913")).toBe("482913");
    expect(pairingCodeFromHash("#x=1&pair=12%2034")).toBe("12 34");
    expect(pairingCodeFromHash("#nothing")).toBe("");
  });
});
