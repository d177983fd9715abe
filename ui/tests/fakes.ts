// Test doubles for what is outside the UI's code: the browser's WebSocket and the
// server's HTTP answers (in the server's real wire shapes).
export class FakeSocket {
  static all: FakeSocket[] = [];
  sent: string[] = [];
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: unknown }) => void) | null = null;
  onclose: ((c: { code: number }) => void) | null = null;
  closedWith: number | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  static last(): FakeSocket {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closedWith = code;
  }
  // What the server does:
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  emit(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  frames(): { type: string; data?: unknown }[] {
    return this.sent.map((s) => JSON.parse(s));
  }
}

export type Route = (method: string, path: string, body: unknown, headers: Record<string, string>) => { status: number; body?: unknown };

/** A `fetch` that answers from `route` and records every call. */
export function fakeFetch(route: Route) {
  const calls: { method: string; path: string; body: unknown; auth?: string }[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://test.local");
    const method = init?.method ?? "GET";
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = init?.body instanceof FormData ? init.body : init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: url.pathname + url.search, body, auth: headers.Authorization });
    const answer = route(method, url.pathname + url.search, body, headers);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "content-type": "application/json" },
    });
  };
  return { impl: impl as typeof fetch, calls };
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
