/**
 * A form's submission: busy while it runs, and on refusal the gateway's message — above the form,
 * and under the field it names when it names one (a 400's "staffNo: …"), so the user sees which
 * input to fix in the gateway's own words.
 */
import { ref, shallowRef } from 'vue';
import { ApiFailure } from '../api/call';
import { useFailure } from './useFailure';

export function useSubmit() {
  const { describe } = useFailure();
  const busy = ref(false);
  const failure = shallowRef<{ title: string; message: string } | null>(null);
  const field = ref<string | null>(null);

  function reset(): void {
    failure.value = null;
    field.value = null;
  }

  /** Run `fn`; answers its result, or undefined when it failed (the failure is then shown). */
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    reset();
    try {
      return await fn();
    } catch (err) {
      failure.value = describe(err);
      field.value = err instanceof ApiFailure ? err.field : null;
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  /** The gateway's message for this field (for ElFormItem's `error`), or ''. */
  const fieldError = (name: string): string => (field.value === name && failure.value ? failure.value.message : '');

  return { busy, failure, run, reset, fieldError };
}
