/** A bottom sheet for on-screen input (keyboard, number pad); one open at a time. */
import { h } from '../dom.js';

export interface Sheet {
  root: HTMLElement;
  close(): void;
}

export function openSheet(label: string, body: HTMLElement, onClose: () => void): Sheet {
  const root = h('div', { class: 'sheet', role: 'dialog', 'aria-modal': 'true', 'aria-label': label }, body);
  document.body.append(root);
  let closed = false;
  return {
    root,
    close() {
      if (closed) return;
      closed = true;
      root.remove();
      onClose();
    },
  };
}
