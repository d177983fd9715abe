// The app-wide state: the API client, the socket, which data changed, the toasts (with
// undo), and the quick-add dialog. Views reload when `changed[module]` moves, so every
// change made anywhere (chat, another device, the scheduler) shows without a reload.
import type { Api } from "../api/client";
import { Realtime, newConnectionId, type Status } from "../api/realtime";
import type { ServerEvent } from "../api/types";
import { ChatStore } from "./chat.svelte";

export interface Toast {
  id: number;
  text: string;
  undo?: () => Promise<void>;
}

let toastIds = 0;

export class AppStore {
  changed = $state<Record<string, number>>({ todos: 0, events: 0, memos: 0, settings: 0, chat: 0 });
  status = $state<Status>("closed");
  toasts = $state<Toast[]>([]);
  quickAddOpen = $state(false);
  loggedIn = $state(false);
  chat: ChatStore;
  realtime: Realtime;

  constructor(
    readonly api: Api,
    WebSocketImpl?: typeof WebSocket,
  ) {
    this.loggedIn = api.tokens !== null;
    // The chat names this page's socket when it sends, so the answer streams here.
    const connectionId = newConnectionId();
    this.chat = new ChatStore(api, connectionId);
    this.realtime = new Realtime({
      connectionId,
      url: () => api.wsUrl(),
      token: () => api.tokens?.access_token ?? null,
      refresh: async () => {
        const ok = await api.refresh().catch(() => false);
        if (!ok) this.loggedIn = false;
        return ok;
      },
      onEvent: (e) => this.apply(e),
      onStatus: (s) => (this.status = s),
      onReconnect: () => this.catchUp(),
      WebSocket: WebSocketImpl,
    });
  }

  apply(event: ServerEvent) {
    if (event.type === "module_data_changed") {
      const m = event.data.module;
      this.changed[m] = (this.changed[m] ?? 0) + 1;
      return;
    }
    if (event.type === "stream_end") this.changed.chat += 1;
    this.chat.apply(event);
  }

  /** After a reconnect: everything may have changed while the socket was down. */
  catchUp() {
    for (const key of Object.keys(this.changed)) this.changed[key] += 1;
    void this.chat.catchUp().catch(() => {});
  }

  toast(text: string, undo?: () => Promise<void>) {
    const id = ++toastIds;
    this.toasts = [...this.toasts, { id, text, undo }];
    setTimeout(() => this.dismiss(id), undo ? 8000 : 4000);
  }

  dismiss(id: number) {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}
