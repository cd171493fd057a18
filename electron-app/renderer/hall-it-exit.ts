/**
 * The hidden hall-IT exit: hold the top-left corner for 5 s, then enter the PIN on the number pad.
 * The PIN is checked by the Electron main process against a hash in its config (never here); in a
 * plain browser (no bridge) the corner does nothing.
 */
import { h } from './dom.js';
import type { Words } from './i18n.js';
import { openNumberPad } from './input/number-pad.js';

interface KioskBridge {
  requestExit(pin: string): Promise<boolean>;
}
declare global {
  interface Window {
    hcpKiosk?: KioskBridge;
  }
}

const HOLD_MS = 5000;

export function hallItCorner(words: () => Words): HTMLElement {
  const corner = h('div', { class: 'it-corner', 'aria-hidden': 'true' });
  let timer: number | undefined;
  corner.addEventListener('pointerdown', () => {
    if (!window.hcpKiosk) return;
    timer = window.setTimeout(() => {
      const w = words();
      openNumberPad({
        label: 'PIN',
        value: '',
        maxLength: 12,
        secret: true,
        w,
        onChange: () => undefined,
        onDone: (pin) => {
          if (pin) void window.hcpKiosk?.requestExit(pin);
        },
      });
    }, HOLD_MS);
  });
  for (const ev of ['pointerup', 'pointercancel', 'pointerleave']) corner.addEventListener(ev, () => clearTimeout(timer));
  return corner;
}
