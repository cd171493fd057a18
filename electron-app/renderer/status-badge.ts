/** The small connection indicator: gateway online/offline, panel state, and our own live link. */
import type { DeviceView } from '@hcp/contract';
import { h } from './dom.js';
import type { Words } from './i18n.js';

export function statusBadge(): { root: HTMLElement; paint(view: DeviceView | null, w: Words, linkUp: boolean): void } {
  const root = h('div', { class: 'status', role: 'status' });
  return {
    root,
    paint(view, w, linkUp) {
      const parts: HTMLElement[] = [];
      if (!linkUp) parts.push(h('span', { class: 'dot warn' }), h('span', {}, w.uiOffline));
      if (view) {
        const online = view.connection.gateway === 'online';
        parts.push(h('span', { class: `dot ${online ? 'ok' : 'off'}` }), h('span', {}, online ? w.gatewayOnline : w.gatewayOffline));
        if (view.connection.panel !== 'absent') {
          const ok = view.connection.panel === 'connected';
          parts.push(h('span', { class: `dot ${ok ? 'ok' : 'warn'}` }), h('span', {}, ok ? w.panelConnected : w.panelDisconnected));
        }
      }
      root.replaceChildren(...parts);
    },
  };
}
