/**
 * Saying what went wrong: a title in the user's language by HTTP status, and the gateway's own
 * message (a 400 names the field) underneath — the console never hides what the gateway said.
 */
import { ElMessage } from 'element-plus';
import { useI18n } from 'vue-i18n';
import { ApiFailure } from '../api/call';

const TITLED = [400, 401, 403, 404, 409, 410, 413, 415, 423, 429] as const;
type Titled = (typeof TITLED)[number];

export function useFailure() {
  const { t } = useI18n();
  /** The title and the gateway's message of an error. */
  function describe(err: unknown): { title: string; message: string } {
    if (err instanceof ApiFailure) {
      if (err.status === 0) return { title: t('common.networkDown'), message: err.message };
      const title = (TITLED as readonly number[]).includes(err.status) ? t(`errors.${err.status as Titled}`) : t('errors.other');
      return { title, message: err.message };
    }
    return { title: t('errors.other'), message: err instanceof Error ? err.message : String(err) };
  }
  /** A toast with the title and the gateway's message. */
  function toast(err: unknown): void {
    const d = describe(err);
    ElMessage({ type: 'error', message: `${d.title} — ${d.message}`, duration: 6000, showClose: true });
  }
  return { describe, toast };
}
