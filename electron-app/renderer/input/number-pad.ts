/** On-screen number pad for the call-back number (and the hall-IT PIN): 0-9, delete, done. */
import { h } from '../dom.js';
import type { Words } from '../i18n.js';
import { openSheet, type Sheet } from './sheet.js';

export interface NumberPadOptions {
  label: string;
  value: string;
  maxLength: number;
  /** Show dots instead of digits (PIN). */
  secret?: boolean;
  w: Words;
  onChange(value: string): void;
  onDone(value: string): void;
}

export function openNumberPad(o: NumberPadOptions): Sheet {
  let value = o.value;
  const display = h('output', { class: 'pad-display', 'aria-live': 'polite' });
  const show = () => {
    display.textContent = o.secret
      ? '●'.repeat(value.length)
      : value.replace(/^(\d{3})(\d{0,4})(\d{0,4})$/, (_m, a: string, b: string, c: string) => [a, b, c].filter(Boolean).join(' '));
  };
  const set = (v: string) => {
    value = v.slice(0, o.maxLength);
    show();
    o.onChange(value);
  };
  const key = (label: string, act: () => void, cls = '', aria?: string) =>
    h('button', { type: 'button', class: `key ${cls}`, onclick: act, ...(aria ? { 'aria-label': aria } : {}) }, label);
  const grid = h(
    'div',
    { class: 'pad-grid' },
    ...['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d, () => set(value + d))),
    key('←', () => set(value.slice(0, -1)), 'fn', o.w.backspace),
    key('0', () => set(value + '0')),
    key(o.w.done, () => sheet.close(), 'done'),
  );
  const body = h('div', { class: 'pad' }, h('p', { class: 'sheet-label' }, o.label), display, grid);
  const sheet = openSheet(o.label, body, () => o.onDone(value));
  show();
  return sheet;
}
