/** Thanks: shown only once the runtime says the rating is committed (lastRating is set). */
import { h, svg } from '../dom.js';
import { levelName } from '../i18n.js';
import { countdown, type Screen, type ScreenContext } from './context.js';
import { faceSvg } from './faces.js';

export function thanksScreen(c: ScreenContext): Screen {
  const { view, w, lang } = c;
  const r = view.lastRating;
  const left = h('p', { class: 'countdown' });
  const root = h(
    'main',
    { class: 'screen thanks', 'aria-labelledby': 'thanks-title' },
    h(
      'div',
      { class: 'thanks-box', role: 'status' },
      r ? svg(faceSvg(r.level), `face level-${r.level}`) : null,
      h('h1', { id: 'thanks-title' }, w.thanks),
      h('p', { class: 'thanks-committed' }, w.thanksCommitted),
      r ? h('p', { class: `thanks-level level-${r.level}` }, levelName(r.level, lang)) : null,
      r?.bad ? h('p', { class: 'thanks-bad' }, w.thanksBad) : null,
    ),
    left,
  );
  c.speak(w.thanks);
  // The runtime moves on by itself; re-read its state if the push is late (socket down).
  const stop = countdown(left, Date.now() + view.timeouts.thanksSec * 1000, w.secondsLeft, () => window.setTimeout(() => c.refresh(), 1500));
  return { root, dispose: stop };
}
