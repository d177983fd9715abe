// Where the UI gets its server and token: the desktop window asks the shell
// (`desktop_session`); a browser uses its own origin and the pair it stored at login.
import { Api, type Tokens } from "./client";

export interface DesktopSession {
  base_url: string;
  access_token: string;
  refresh_token: string;
}

interface TauriInternals {
  invoke: (cmd: string, args?: Record<string, unknown>) => Promise<unknown>;
}

const STORAGE_KEY = "clawchat.tokens";

export function isDesktop(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

function internals(): TauriInternals {
  return (window as unknown as { __TAURI_INTERNALS__: TauriInternals }).__TAURI_INTERNALS__;
}

export async function desktopSession(): Promise<DesktopSession> {
  const session = (await internals().invoke("desktop_session")) as DesktopSession;
  if (!session?.base_url || !session.access_token) throw new Error("the desktop shell gave no session");
  return session;
}

/** What the desktop's update check or install came to (`check_for_updates`, `install_update`). */
export interface UpdateReport {
  state: "off" | "current" | "ready" | "refused" | "installed" | "failed";
  version: string | null;
  message: string;
}

/** Asks the desktop shell to check for a signed update, or to install the one it verified. */
export async function desktopUpdate(action: "check_for_updates" | "install_update"): Promise<UpdateReport> {
  return (await internals().invoke(action)) as UpdateReport;
}

function storedTokens(storage: Storage): Tokens | null {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    const parsed = raw ? JSON.parse(raw) : null;
    return parsed?.access_token && parsed?.refresh_token ? parsed : null;
  } catch {
    return null;
  }
}

/** The API client for this window: the desktop's session, or this browser's stored login. */
export async function openApi(storage: Storage = window.localStorage): Promise<Api> {
  if (isDesktop()) {
    const s = await desktopSession();
    return new Api({
      baseUrl: s.base_url,
      tokens: { access_token: s.access_token, refresh_token: s.refresh_token },
    });
  }
  return new Api({
    baseUrl: "",
    tokens: storedTokens(storage),
    onTokens: (tokens) => {
      if (tokens) storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
      else storage.removeItem(STORAGE_KEY);
    },
  });
}

/** The pairing code in `#pair=<code>`, from the QR code the desktop shows. */
export function pairingCodeFromHash(hash: string): string {
  const match = /(?:^#|&)pair=([^&]+)/.exec(hash);
  return match ? decodeURIComponent(match[1]) : "";
}

/** Whether this page is the desktop's quick-add window (the shell opens it at /quick-add). */
export function isQuickAddWindow(): boolean {
  return isDesktop() && window.location.pathname === "/quick-add";
}

/** The text the quick-add window opened with (a `clawchat://add` link's), if any. */
export function quickAddText(): string {
  const given = (window as unknown as { __CLAWCHAT_QUICK_ADD__?: { text?: unknown } }).__CLAWCHAT_QUICK_ADD__;
  return typeof given?.text === "string" ? given.text : "";
}

/** Closes the quick-add window. */
export async function closeQuickAddWindow(): Promise<void> {
  await internals().invoke("close_quick_add");
}
