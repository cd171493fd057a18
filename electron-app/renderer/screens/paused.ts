/** 暂停服务: nobody logged in, or staff paused the window. No rating possible here. */
import { h } from '../dom.js';
import type { Screen, ScreenContext } from './context.js';

export function pausedScreen(c: ScreenContext): Screen {
  const { view, w } = c;
  const root = h(
    'main',
    { class: 'screen paused', 'aria-labelledby': 'paused-title' },
    h('p', { class: 'hall' }, view.hallName),
    h('div', { class: 'paused-sign' }, h('h1', { id: 'paused-title' }, w.paused), h('p', { class: 'hint' }, w.pausedHint)),
    h('p', { class: 'window-line' }, `${w.window} ${view.window.number} · ${view.window.department}`),
  );
  c.speak(`${w.paused}。${w.pausedHint}`);
  return { root, dispose: () => undefined };
}
