/** The staff card of R4: photo, name, post (岗位), title (职务), staff number, window. */
import type { DeviceView } from '@hcp/contract';
import { h } from '../dom.js';
import type { Words } from '../i18n.js';

export function staffCard(view: DeviceView, w: Words, compact: boolean): HTMLElement {
  const s = view.staff;
  if (!s) return h('div');
  const photo = s.photo ? h('img', { class: 'photo', src: s.photo, alt: s.name }) : h('div', { class: 'photo placeholder', role: 'img', 'aria-label': s.name }, s.name.slice(0, 1));
  return h(
    'section',
    { class: `staff-card${compact ? ' compact' : ''}`, 'aria-label': s.name },
    photo,
    h(
      'div',
      { class: 'staff-text' },
      h('p', { class: 'staff-name' }, s.name),
      h(
        'dl',
        { class: 'staff-facts' },
        h('div', {}, h('dt', {}, w.post), h('dd', {}, s.post)),
        h('div', {}, h('dt', {}, w.title), h('dd', {}, s.title)),
        h('div', {}, h('dt', {}, w.staffNo), h('dd', {}, s.staffNo)),
        h('div', {}, h('dt', {}, w.window), h('dd', {}, `${view.window.number} · ${view.window.department}`)),
      ),
    ),
  );
}
