/**
 * Copy to the clipboard. navigator.clipboard works only in a secure context (https or localhost); a
 * hall gateway on plain http over the LAN is not one, so fall back to selecting a hidden textarea.
 */
import { ElMessage } from 'element-plus';
import { useI18n } from 'vue-i18n';

export function useCopy() {
  const { t } = useI18n();
  return async function copy(text: string): Promise<void> {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      const done = document.execCommand('copy');
      area.remove();
      if (!done) {
        ElMessage({ type: 'warning', message: t('common.copyFailed') });
        return;
      }
    }
    ElMessage({ type: 'success', message: t('common.copied') });
  };
}
