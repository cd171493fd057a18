/**
 * Armed: five large choices (R1), the service item when known (R9), a dynamic QR code for this
 * case (R8). A press shows its pressed state in the same frame (pointerdown), then POST /api/rate;
 * "thanks" comes only from the runtime's state once the rating is committed.
 */
import { RATING_LEVELS, type RatingLevel } from '@hcp/contract';
import { h, svg } from '../dom.js';
import { levelName } from '../i18n.js';
import { qrInto } from '../qr.js';
import { countdown, type Screen, type ScreenContext } from './context.js';
import { faceSvg } from './faces.js';
import { staffCard } from './staff-card.js';
import { notePressAck } from '../metrics.js';

export function armedScreen(c: ScreenContext): Screen {
  const { view, w, lang } = c;
  const inv = view.invitation!;
  const message = h('p', { class: 'press-message', role: 'alert' });
  let inFlight = false;

  const choices = h('div', { class: 'choices', role: 'group', 'aria-label': w.pleaseRate });
  const buttons = RATING_LEVELS.map((level: RatingLevel) => {
    const b = h(
      'button',
      { type: 'button', class: `choice level-${level}`, 'data-level': String(level) },
      svg(faceSvg(level), 'face'),
      h('span', { class: 'choice-text' }, levelName(level, lang)),
    );
    b.addEventListener('pointerdown', (ev) => {
      if (inFlight) return;
      b.classList.add('pressed');
      notePressAck(ev.timeStamp);
    });
    const release = () => {
      if (!inFlight) b.classList.remove('pressed');
    };
    b.addEventListener('pointercancel', release);
    b.addEventListener('pointerleave', release);
    b.addEventListener('click', () => void rate(level, b));
    choices.append(b);
    return b;
  });

  async function rate(level: RatingLevel, b: HTMLButtonElement): Promise<void> {
    if (inFlight) return;
    inFlight = true;
    b.classList.add('pressed');
    choices.classList.add('busy');
    for (const other of buttons) other.setAttribute('aria-disabled', 'true');
    b.setAttribute('aria-busy', 'true');
    message.textContent = w.saving;
    const reply = await c.api.post('/api/rate', { level, source: 'touch' });
    if (reply.ok) {
      // Committed: the live push brings details/thanks; re-read in case the push lags.
      c.refresh();
      return;
    }
    inFlight = false;
    b.classList.remove('pressed');
    b.removeAttribute('aria-busy');
    choices.classList.remove('busy');
    for (const other of buttons) other.removeAttribute('aria-disabled');
    message.textContent = w.pressFailed;
    // Not armed any more (expired, paused): the runtime's state decides what to show.
    if (reply.status === 409) c.refresh();
  }

  const qr = inv.qrUrl ? h('figure', { class: 'qr-box small' }, h('div', { class: 'qr', role: 'img', 'aria-label': w.scanCase }), h('figcaption', {}, w.scanCase)) : null;
  if (qr && inv.qrUrl) qrInto(qr.querySelector('.qr') as HTMLElement, inv.qrUrl);
  const left = h('p', { class: 'countdown' });
  const stop = countdown(left, Date.parse(inv.expiresAt), w.secondsLeft, () => window.setTimeout(() => c.refresh(), 1500));

  const root = h(
    'main',
    { class: 'screen armed', 'aria-labelledby': 'armed-title' },
    h(
      'header',
      { class: 'armed-head' },
      staffCard(view, w, true),
      h(
        'div',
        { class: 'armed-case' },
        h('h1', { id: 'armed-title' }, w.pleaseRate),
        inv.itemName ? h('p', { class: 'item' }, h('span', { class: 'label' }, w.item), ' ', inv.itemName) : null,
        inv.caseNo ? h('p', { class: 'case-no' }, h('span', { class: 'label' }, w.caseNo), ' ', inv.caseNo) : null,
      ),
      qr,
    ),
    choices,
    h('footer', { class: 'armed-foot' }, message, left),
  );
  c.speak(`${w.pleaseRate}。${RATING_LEVELS.map((l) => levelName(l, lang)).join('，')}`);
  return { root, dispose: stop };
}
