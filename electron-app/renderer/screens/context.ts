/** What every screen gets: the runtime's view, the words of its language, and the API. */
import type { DeviceView, Language } from '@hcp/contract';
import type { LocalApi } from '../api.js';
import type { Words } from '../i18n.js';

export interface ScreenContext {
  view: DeviceView;
  lang: Language;
  w: Words;
  api: LocalApi;
  /** Ask the app to re-read /api/state now (after a reply, when the push may lag). */
  refresh(): void;
  /** Speak a prompt when the device's speech setting is on (degrades silently). */
  speak(text: string): void;
}

/** A mounted screen; `dispose` clears its timers. */
export interface Screen {
  root: HTMLElement;
  dispose(): void;
}

/** Seconds left until `deadline` (ms epoch), for the small countdown on timed screens. */
export function countdown(el: HTMLElement, deadline: number, label: (n: number) => string, onZero: () => void): () => void {
  let fired = false;
  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    el.textContent = label(left);
    if (left === 0 && !fired) {
      fired = true;
      onZero();
    }
  };
  tick();
  const t = window.setInterval(tick, 500);
  return () => clearInterval(t);
}
