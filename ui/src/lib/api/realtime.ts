// The `/ws` protocol client: authenticates with a first `auth` frame (the token stays out
// of URLs and logs), hands every server frame to its listener, and reconnects by itself
// with a growing delay. After a reconnect it calls `onReconnect`, so the stores catch up
// over REST on what happened while the socket was down. It names its connection
// (`connectionId`), so a message this page sends over REST has its answer's chunks streamed
// here; the page's other devices get that answer whole in its `stream_end`.
import type { ClientFrame, ServerEvent } from "./types";

export type Status = "connecting" | "open" | "closed";

export interface RealtimeOptions {
  url: () => string;
  token: () => string | null;
  /** Called when the server refused the token (close 4401): refresh it; false stops. */
  refresh: () => Promise<boolean>;
  onEvent: (event: ServerEvent) => void;
  onStatus?: (status: Status) => void;
  onReconnect?: () => void;
  WebSocket?: typeof WebSocket;
  /** Delay before reconnect attempt `n` (0-based). */
  backoff?: (attempt: number) => number;
  /** The name this connection gives itself (default: a new random one). */
  connectionId?: string;
}

/** A random connection name: 32 hex digits. `crypto.getRandomValues` also works where
 *  `crypto.randomUUID` does not (a page served over plain HTTP on the LAN). */
export function newConnectionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const UNAUTHORIZED = 4401;

export class Realtime {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private everOpened = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private queue: ClientFrame[] = [];
  status: Status = "closed";
  /** Kept across reconnects, so an answer streaming when the socket dropped comes back here. */
  readonly connectionId: string;

  constructor(private options: RealtimeOptions) {
    this.connectionId = options.connectionId ?? newConnectionId();
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.close(1000, "bye");
    this.socket = null;
    this.setStatus("closed");
  }

  /** Sends a frame now, or as soon as the socket is open again. */
  send(frame: ClientFrame) {
    if (this.socket && this.status === "open") this.socket.send(JSON.stringify(frame));
    else this.queue.push(frame);
  }

  private setStatus(status: Status) {
    this.status = status;
    this.options.onStatus?.(status);
  }

  private connect() {
    const token = this.options.token();
    if (!token || this.stopped) return;
    const Impl = this.options.WebSocket ?? WebSocket;
    const socket = new Impl(this.options.url());
    this.socket = socket;
    this.setStatus("connecting");
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "auth", data: { token, connection_id: this.connectionId } } satisfies ClientFrame));
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setStatus("open");
      for (const frame of this.queue.splice(0)) socket.send(JSON.stringify(frame));
      if (reconnected) this.options.onReconnect?.();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (typeof message.data !== "string") return;
      let event: ServerEvent;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      this.options.onEvent(event);
    };
    socket.onclose = async (close: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setStatus("closed");
      if (this.stopped) return;
      if (close.code === UNAUTHORIZED && !(await this.options.refresh())) return;
      const delay = (this.options.backoff ?? defaultBackoff)(this.attempt++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }
}

function defaultBackoff(attempt: number): number {
  return Math.min(10_000, 300 * 2 ** attempt) + Math.random() * 200;
}
