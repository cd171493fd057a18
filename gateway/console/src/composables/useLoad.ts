/**
 * A page's data with its loading and error states: every view shows "loading", "empty" or the
 * gateway's message the same way (components/PageState.vue). A later reload wins over an earlier
 * one still in flight, so a slow answer never overwrites a newer one.
 */
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';

export interface Loaded<T> {
  data: ShallowRef<T | undefined>;
  loading: Ref<boolean>;
  error: ShallowRef<Error | null>;
  reload(): Promise<void>;
}

export interface LoadOptions {
  immediate?: boolean;
  /**
   * Keep the data shown when a reload answers the same (compared as JSON): nothing on the page
   * is drawn again. For a big page reloaded "in case" (the live hall when its stream opens).
   */
  keepWhenSame?: boolean;
}

export function useLoad<T>(fn: () => Promise<T>, o: LoadOptions = {}): Loaded<T> {
  const data = shallowRef<T | undefined>();
  const loading = ref(false);
  const error = shallowRef<Error | null>(null);
  let latest = 0;
  async function reload(): Promise<void> {
    const mine = ++latest;
    loading.value = true;
    try {
      const value = await fn();
      if (mine !== latest) return;
      const same = o.keepWhenSame && data.value !== undefined && JSON.stringify(value) === JSON.stringify(data.value);
      if (!same) data.value = value;
      error.value = null;
    } catch (err) {
      if (mine === latest) error.value = err instanceof Error ? err : new Error(String(err));
    } finally {
      if (mine === latest) loading.value = false;
    }
  }
  if (o.immediate !== false) void reload();
  return { data, loading, error, reload };
}
