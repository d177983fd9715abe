import { getContext, setContext } from "svelte";
import type { AppStore } from "./stores/app.svelte";

const KEY = Symbol("clawchat");

export function provideApp(app: AppStore) {
  setContext(KEY, app);
}

export function useApp(): AppStore {
  return getContext<AppStore>(KEY);
}
