/** Idle with staff logged in: who serves at this window (R4) and the per-window QR code (R8). */
import { h } from '../dom.js';
import { qrInto } from '../qr.js';
import type { Screen, ScreenContext } from './context.js';
import { noticeBanner } from './notice.js';
import { staffCard } from './staff-card.js';

export function idleScreen(c: ScreenContext): Screen {
  const { view, w } = c;
  const qr = view.windowQrUrl ? h('figure', { class: 'qr-box' }, h('div', { class: 'qr', role: 'img', 'aria-label': w.scanToRate }), h('figcaption', {}, w.scanToRate)) : null;
  if (qr && view.windowQrUrl) qrInto(qr.querySelector('.qr') as HTMLElement, view.windowQrUrl);
  const root = h(
    'main',
    { class: 'screen idle', 'aria-label': view.hallName },
    h('h1', { class: 'hall' }, view.hallName),
    noticeBanner(view.notice, c.lang),
    h('div', { class: 'idle-body' }, staffCard(view, w, false), qr),
  );
  return { root, dispose: () => undefined };
}
