// The REST client: one base URL and one token pair; a 401 refreshes the pair once and
// retries, and a failed refresh ends the session.
import type { TokenPair } from "./types";

/** An error answer of the API: `{detail, code, errors?}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors: { field: string; message: string }[] = [],
  ) {
    super(detail);
  }
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export interface ClientOptions {
  baseUrl: string;
  tokens: Tokens | null;
  /** Called whenever the pair changes (login, refresh) or ends (null). */
  onTokens?: (tokens: Tokens | null) => void;
  fetch?: typeof fetch;
}

export class Api {
  baseUrl: string;
  tokens: Tokens | null;
  private onTokens: (tokens: Tokens | null) => void;
  private fetchImpl: typeof fetch;
  private refreshing: Promise<boolean> | null = null;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.tokens = options.tokens;
    this.onTokens = options.onTokens ?? (() => {});
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The `/ws` URL for this server. */
  wsUrl(): string {
    const base = this.baseUrl || window.location.origin;
    return base.replace(/^http/, "ws") + "/ws";
  }

  setTokens(tokens: Tokens | null) {
    this.tokens = tokens;
    this.onTokens(tokens);
  }

  async login(pin: string): Promise<void> {
    const pair = await this.request<TokenPair>("POST", "/api/auth/login", { pin, device_name: deviceName() }, false);
    this.setTokens({ access_token: pair.access_token, refresh_token: pair.refresh_token });
  }

  async pair(code: string): Promise<void> {
    const pair = await this.request<TokenPair>("POST", "/api/auth/verify-otp", { email: "pairing", otp: code }, false);
    this.setTokens({ access_token: pair.access_token, refresh_token: pair.refresh_token });
  }

  async logout(): Promise<void> {
    try {
      await this.request("POST", "/api/auth/logout");
    } finally {
      this.setTokens(null);
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }
  delete(path: string): Promise<void> {
    return this.request<void>("DELETE", path);
  }

  /** Posts a multipart form (a voice recording), with the same token handling. */
  async upload<T>(path: string, form: FormData): Promise<T> {
    const send = () =>
      this.fetchImpl(this.baseUrl + path, {
        method: "POST",
        headers: this.tokens ? { Authorization: `Bearer ${this.tokens.access_token}` } : {},
        body: form,
      });
    let response = await send();
    if (response.status === 401 && this.tokens && (await this.refresh())) response = await send();
    if (!response.ok) throw await asError(response);
    return (await response.json()) as T;
  }

  async request<T>(method: string, path: string, body?: unknown, authed = true): Promise<T> {
    let response = await this.send(method, path, body, authed);
    if (response.status === 401 && authed && this.tokens) {
      if (await this.refresh()) response = await this.send(method, path, body, authed);
    }
    if (!response.ok) throw await asError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private send(method: string, path: string, body: unknown, authed: boolean): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (authed && this.tokens) headers.Authorization = `Bearer ${this.tokens.access_token}`;
    return this.fetchImpl(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Trades the refresh token for a new pair; concurrent callers share one attempt. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const refresh_token = this.tokens?.refresh_token;
        if (!refresh_token) return false;
        const response = await this.send("POST", "/api/auth/refresh", { refresh_token }, false);
        if (!response.ok) {
          this.setTokens(null);
          return false;
        }
        const pair = (await response.json()) as TokenPair;
        this.setTokens({ access_token: pair.access_token, refresh_token: pair.refresh_token });
        return true;
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }
}

async function asError(response: Response): Promise<ApiError> {
  try {
    const body = await response.json();
    return new ApiError(response.status, body.code ?? "error", body.detail ?? response.statusText, body.errors ?? []);
  } catch {
    return new ApiError(response.status, "error", `${response.status} ${response.statusText}`);
  }
}

function deviceName(): string {
  const ua = typeof navigator === "undefined" ? "" : navigator.userAgent;
  if (/iPhone|iPad/.test(ua)) return "iPhone browser";
  if (/Android/.test(ua)) return "Android browser";
  return "Browser";
}
