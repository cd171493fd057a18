/**
 * The short notice over the idle screen when the case on screen was taken away because it was
 * rated on a phone first (issue 13: a case is rated once, whichever channel comes first). The
 * Tibetan text is a draft awaiting a native reader, like the catalogue's (docs/KIOSK.md "Tibetan").
 */
import type { Language, ViewNotice } from '@hcp/contract';
import { h } from '../dom.js';

const RATED_ON_PHONE: Record<Language, { title: string; body: string }> = {
  zh: { title: '此件已在手机上评价', body: '本次办件已通过手机扫码评价，无需再次评价。谢谢！' },
  en: { title: 'Already rated on a phone', body: 'This service was rated on a phone; there is no need to rate it again. Thank you!' },
  bo: { title: 'ཁ་པར་ཐོག་ནས་བསམ་འཆར་ཕུལ་ཟིན།', body: 'ལས་དོན་འདི་ཁ་པར་ཐོག་ནས་བསམ་འཆར་ཕུལ་ཟིན་པས་ཡང་བསྐྱར་ཕུལ་མི་དགོས། ཐུགས་རྗེ་ཆེ།' },
};

export function noticeBanner(notice: ViewNotice | undefined, lang: Language): HTMLElement | null {
  if (notice !== 'rated-on-phone') return null;
  const w = RATED_ON_PHONE[lang];
  // Chinese is always shown: the hall's language of record, whatever the citizen picked.
  return h(
    'section',
    { class: 'notice rated-on-phone', role: 'status', 'aria-live': 'polite' },
    h('p', { class: 'notice-title' }, w.title),
    h('p', { class: 'notice-body' }, w.body),
    lang === 'zh' ? null : h('p', { class: 'notice-zh', lang: 'zh-CN' }, RATED_ON_PHONE.zh.title),
  );
}
