// Loads data for a view and loads it again whenever one of `modules` changes on the
// server (`module_data_changed`) or whatever state the fetcher reads before its first
// `await` changes (a filter, a date range).
import type { AppStore } from "./stores/app.svelte";

export class Loader<T> {
  value = $state<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  private seq = 0;

  constructor(
    private app: AppStore,
    private modules: string[],
    private fetcher: () => Promise<T>,
  ) {
    $effect(() => {
      for (const m of this.modules) void this.app.changed[m];
      void this.reload();
    });
  }

  async reload() {
    const mine = ++this.seq;
    this.loading = true;
    try {
      const v = await this.fetcher();
      if (mine === this.seq) {
        this.value = v;
        this.error = null;
      }
    } catch (e) {
      if (mine === this.seq) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}
