// Conversations and the open thread. Streamed answers are applied chunk by chunk; every
// message is keyed by its id, so a catch-up after a reconnect, a repeated frame or the
// REST copy of a streamed message never shows a message twice. Only the page that asked
// gets an answer's chunks: the others show it when its `stream_end` brings it whole, and
// fetch the question another device asked when its answer starts.
import type { Api } from "../api/client";
import type { ActionCard, Conversation, Delivered, Message, Page, SendMessage, ServerEvent, TaskRecord, TaskStatus } from "../api/types";

export interface Card {
  card_type: string;
  payload: unknown;
  actions: { action: string; label: string; method?: string; path?: string; body?: unknown }[];
}

export interface ChatMessage {
  id: string;
  conversation_id: string;
  role: "user" | "assistant" | "tool";
  content: string;
  created_at: string;
  intent: string | null;
  cards: Card[];
  /** True while tokens are still coming. */
  streaming: boolean;
  tasks: TaskRecord[];
  /** Chunk indexes applied, so a repeated chunk is not appended twice. */
  seen: Set<number>;
}

export interface Approval {
  task: TaskRecord;
  reason: string;
}

const PAGE = 100;

/** A deeply reactive copy: the store keeps these proxies, so changing one updates the view. */
function reactive(m: ChatMessage): ChatMessage {
  const proxied = $state(m);
  return proxied;
}

function fromMessage(m: Message): ChatMessage {
  return reactive({
    id: m.id,
    conversation_id: m.conversation_id,
    role: m.role,
    content: m.content,
    created_at: m.created_at,
    intent: m.intent,
    cards: (m.action_cards as unknown as Card[]) ?? [],
    streaming: false,
    tasks: [],
    seen: new Set(),
  });
}

export class ChatStore {
  conversations = $state<Conversation[]>([]);
  currentId = $state<string | null>(null);
  messages = $state<ChatMessage[]>([]);
  approvals = $state<Approval[]>([]);
  /** How many older messages the server holds beyond those loaded. */
  olderCount = $state(0);
  sending = $state(false);
  error = $state<string | null>(null);
  /** Streams whose conversation is not open, by message id (a new conversation's first answer). */
  private orphans = new Map<string, ChatMessage>();
  private byId = new Map<string, ChatMessage>();
  private loadedPages = { first: 1, last: 0 };
  /** The answers to what this page sent: their questions are already shown. */
  private asked = new Set<string>();
  /** Whether this page has had the parser read a draft yet (see `typing`). */
  private readied = false;

  /** `connectionId` names this page's socket, where the answers to what it sends stream. */
  constructor(
    private api: Api,
    private connectionId?: string,
  ) {}

  get streaming(): ChatMessage | undefined {
    return this.messages.find((m) => m.streaming);
  }

  async loadConversations() {
    const page = await this.api.get<Page<Conversation>>("/api/chat/conversations?limit=100");
    this.conversations = page.items;
  }

  /** Opens a conversation (null: a new one), with its latest messages. */
  async open(id: string | null) {
    this.currentId = id;
    this.messages = [];
    this.byId.clear();
    this.olderCount = 0;
    if (!id) return;
    const first = await this.api.get<Page<Message>>(`/api/chat/conversations/${id}/messages?limit=${PAGE}`);
    if (this.currentId !== id) return;
    const pages = Math.max(1, Math.ceil(first.total / PAGE));
    // The latest three pages; older ones on request.
    const from = Math.max(1, pages - 2);
    const loaded: Message[] = [];
    for (let p = from; p <= pages; p++) {
      const page =
        p === 1 ? first : await this.api.get<Page<Message>>(`/api/chat/conversations/${id}/messages?limit=${PAGE}&page=${p}`);
      loaded.push(...page.items);
    }
    if (this.currentId !== id) return;
    this.loadedPages = { first: from, last: pages };
    this.olderCount = (from - 1) * PAGE;
    this.merge(loaded);
  }

  async loadOlder() {
    const id = this.currentId;
    if (!id || this.loadedPages.first <= 1) return;
    const p = this.loadedPages.first - 1;
    const page = await this.api.get<Page<Message>>(`/api/chat/conversations/${id}/messages?limit=${PAGE}&page=${p}`);
    if (this.currentId !== id) return;
    this.loadedPages.first = p;
    this.olderCount = (p - 1) * PAGE;
    const fresh = page.items.filter((m) => !this.byId.has(m.id)).map(fromMessage);
    for (const m of fresh) this.byId.set(m.id, m);
    this.messages = [...fresh, ...this.messages];
  }

  /** Adds or updates messages from the server, keeping order and never duplicating. */
  merge(items: Message[]) {
    let appended = false;
    for (const m of items) {
      const known = this.byId.get(m.id);
      if (known) {
        if (!known.streaming || m.content.length >= known.content.length) {
          known.content = m.content;
          known.intent = m.intent;
          known.streaming = false;
          if ((m.action_cards?.length ?? 0) >= known.cards.length) known.cards = m.action_cards as unknown as Card[];
        }
      } else {
        const message = fromMessage(m);
        this.byId.set(m.id, message);
        this.messages.push(message);
        appended = true;
      }
    }
    if (appended) this.sortMessages();
  }

  private sortMessages() {
    // Server order is by creation; streaming placeholders stay at the end.
    const streaming = this.messages.filter((m) => m.streaming);
    const done = this.messages.filter((m) => !m.streaming);
    this.messages = [...done, ...streaming];
  }

  /** Fetches what came after the last complete message: the catch-up after a reconnect. */
  async catchUp() {
    const id = this.currentId;
    if (!id) return;
    const last = [...this.messages].reverse().find((m) => !m.streaming && !m.id.startsWith("local-"));
    const query = last ? `&after=${encodeURIComponent(last.id)}` : "";
    let page = 1;
    for (;;) {
      const got = await this.api.get<Page<Message>>(`/api/chat/conversations/${id}/messages?limit=${PAGE}&page=${page}${query}`);
      if (this.currentId !== id) return;
      this.merge(got.items);
      if (page * PAGE >= got.total) break;
      page++;
    }
  }

  /**
   * Called as the user types. The server builds the built-in parser's grammar the first
   * time it reads anything, not at start, so an app nobody talks to does not hold it; the
   * first words typed on this page are read once, ahead of the message (nothing is stored,
   * the answer is not used), so that the message itself is answered at full speed.
   */
  typing(draft: string) {
    const text = draft.trim();
    if (this.readied || !text) return;
    this.readied = true;
    void this.api.post("/api/parse", { text }).catch(() => {});
  }

  async send(content: string): Promise<Delivered | null> {
    const text = content.trim();
    if (!text || this.sending) return null;
    this.sending = true;
    this.error = null;
    const local: ChatMessage = reactive({
      id: `local-${Date.now()}`,
      conversation_id: this.currentId ?? "",
      role: "user",
      content: text,
      created_at: new Date().toISOString(),
      intent: null,
      cards: [],
      streaming: false,
      tasks: [],
      seen: new Set(),
    });
    this.messages.push(local);
    try {
      const body: SendMessage = { conversation_id: this.currentId, content: text, connection_id: this.connectionId };
      const delivered = await this.api.post<Delivered>("/api/chat/send", body);
      this.asked.add(delivered.reply_id);
      // The stored copy replaces the local one under its real id.
      const mine = this.messages.find((m) => m.id === local.id);
      if (mine) {
        mine.id = delivered.message_id;
        mine.conversation_id = delivered.conversation_id;
        this.byId.set(mine.id, mine);
      }
      if (this.currentId !== delivered.conversation_id) {
        this.currentId = delivered.conversation_id;
        this.adoptOrphans();
        void this.loadConversations();
      }
      return delivered;
    } catch (e) {
      this.messages = this.messages.filter((m) => m.id !== local.id);
      this.error = e instanceof Error ? e.message : String(e);
      return null;
    } finally {
      this.sending = false;
    }
  }

  /** Asks by voice: the server transcribes the recording and answers like typed text. */
  async sendVoice(audio: Blob): Promise<boolean> {
    this.sending = true;
    this.error = null;
    try {
      const form = new FormData();
      form.append("audio", audio, "question.webm");
      if (this.currentId) form.append("conversation_id", this.currentId);
      const got = await this.api.upload<{ message_id: string; conversation_id: string; transcript: string }>("/api/chat/voice", form);
      if (this.currentId !== got.conversation_id) {
        this.currentId = got.conversation_id;
        this.adoptOrphans();
        void this.loadConversations();
      }
      await this.catchUp();
      return true;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return false;
    } finally {
      this.sending = false;
    }
  }

  private adoptOrphans() {
    for (const [id, m] of this.orphans) {
      if (m.conversation_id === this.currentId && !this.byId.has(id)) {
        this.byId.set(id, m);
        this.messages.push(m);
      }
    }
    this.orphans.clear();
    this.sortMessages();
  }

  private find(id: string): ChatMessage | undefined {
    return this.byId.get(id) ?? this.orphans.get(id);
  }

  /** Applies one realtime event. */
  apply(event: ServerEvent) {
    switch (event.type) {
      case "stream_start": {
        const { message_id, conversation_id } = event.data;
        if (this.find(message_id)) return;
        const m: ChatMessage = reactive({
          id: message_id,
          conversation_id,
          role: "assistant",
          content: "",
          created_at: new Date().toISOString(),
          intent: null,
          cards: [],
          streaming: true,
          tasks: [],
          seen: new Set(),
        });
        if (conversation_id === this.currentId) {
          this.byId.set(message_id, m);
          this.messages.push(m);
          // Asked on another device: its question is stored by now; show it too.
          if (!this.sending && !this.asked.has(message_id)) void this.catchUp().catch(() => {});
        } else {
          this.orphans.set(message_id, m);
        }
        return;
      }
      case "stream_chunk": {
        const m = this.find(event.data.message_id);
        if (!m || !m.streaming || m.seen.has(event.data.index)) return;
        m.seen.add(event.data.index);
        m.content += event.data.content;
        return;
      }
      case "action_card": {
        const m = this.find(event.data.message_id);
        if (!m) return;
        const card = toCard(event.data);
        const same = m.cards.some((c) => JSON.stringify(c) === JSON.stringify(card));
        if (!same) m.cards = [...m.cards, card];
        return;
      }
      case "stream_end": {
        const m = this.find(event.data.message_id);
        // An answer this page did not see start (it connected meanwhile): it is stored
        // before its end is sent, so the catch-up brings it.
        if (!m) {
          if (this.currentId) void this.catchUp().catch(() => {});
          return;
        }
        m.content = event.data.full_content;
        m.intent = event.data.intent;
        m.streaming = false;
        return;
      }
      case "query-result": {
        const m = this.find(event.data.message_id);
        if (m) m.tasks = event.data.tasks;
        return;
      }
      case "task:update": {
        const { task_id, status, output, error } = event.data;
        for (const m of this.messages) {
          const t = m.tasks.find((t) => t.task.task_id === task_id);
          if (t) {
            t.status = status as TaskStatus;
            t.output = output;
            t.error = error;
            m.tasks = [...m.tasks];
          }
        }
        if (status !== "awaiting_approval") this.approvals = this.approvals.filter((a) => a.task.task.task_id !== task_id);
        return;
      }
      case "task:approval_request": {
        const id = event.data.task.task.task_id;
        if (!this.approvals.some((a) => a.task.task.task_id === id)) this.approvals = [...this.approvals, event.data];
        return;
      }
      default:
        return;
    }
  }

  async answerApproval(taskId: string, allow: boolean, reason?: string) {
    if (allow) await this.api.post(`/api/tasks/${taskId}/approve`);
    else await this.api.post(`/api/tasks/${taskId}/deny`, reason ? { reason } : {});
    this.approvals = this.approvals.filter((a) => a.task.task.task_id !== taskId);
  }

  /** Stops showing the answer being streamed; the server finishes and stores it on its own. */
  stop() {
    const m = this.streaming;
    if (m) {
      m.streaming = false;
      m.content = m.content + " …";
    }
  }

  async deleteConversation(id: string) {
    await this.api.delete(`/api/chat/conversations/${id}`);
    this.conversations = this.conversations.filter((c) => c.id !== id);
    if (this.currentId === id) await this.open(null);
  }
}

function toCard(c: ActionCard): Card {
  return { card_type: c.card_type, payload: c.payload, actions: c.actions as unknown as Card["actions"] };
}
