/**
 * On-screen keyboard for the comment: pinyin with a candidate bar (built-in dictionary), an
 * English mode, punctuation, and quick phrases an elderly citizen can tap instead of typing.
 */
import { h } from '../dom.js';
import type { Words } from '../i18n.js';
import { candidates, QUICK_PHRASES } from './pinyin-dict.js';
import { openSheet, type Sheet } from './sheet.js';

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const MAX = 500;

export interface TextKeyboardOptions {
  label: string;
  value: string;
  english: boolean;
  w: Words;
  onChange(value: string): void;
}

export function openTextKeyboard(o: TextKeyboardOptions): Sheet {
  let text = o.value;
  let buffer = '';
  let pinyin = !o.english;
  const shown = h('output', { class: 'kb-text', 'aria-live': 'polite' });
  const bufferLine = h('span', { class: 'kb-buffer', 'aria-live': 'polite' });
  const candBar = h('div', { class: 'kb-candidates', role: 'group', 'aria-label': o.w.keyboard });
  const modeKey = h('button', {
    type: 'button',
    class: 'key fn',
    onclick: () => {
      commitBuffer();
      pinyin = !pinyin;
      paint();
    },
  });

  const setText = (t: string) => {
    text = t.slice(0, MAX);
    o.onChange(text);
  };
  function commitBuffer(): void {
    if (!buffer) return;
    const first = candidates(buffer, 1)[0];
    setText(text + (first ? first.text + buffer.slice(first.consumes) : buffer));
    buffer = '';
  }
  function pick(t: string, consumes: number): void {
    setText(text + t);
    buffer = buffer.slice(consumes);
    paint();
  }
  function letter(ch: string): void {
    if (pinyin) buffer = (buffer + ch).slice(0, 24);
    else setText(text + ch);
    paint();
  }
  function backspace(): void {
    if (buffer) buffer = buffer.slice(0, -1);
    else setText([...text].slice(0, -1).join(''));
    paint();
  }
  function paint(): void {
    shown.textContent = text;
    bufferLine.textContent = buffer;
    modeKey.textContent = pinyin ? '中' : 'EN';
    comma.textContent = pinyin ? '，' : ',';
    stop.textContent = pinyin ? '。' : '.';
    modeKey.setAttribute('aria-label', pinyin ? `${o.w.keyboard}: 中` : `${o.w.keyboard}: EN`);
    candBar.replaceChildren(
      ...(buffer
        ? candidates(buffer).map((c) => h('button', { type: 'button', class: 'cand', onclick: () => pick(c.text, c.consumes) }, c.text))
        : (pinyin ? QUICK_PHRASES.zh : QUICK_PHRASES.en).map((p) =>
            h(
              'button',
              {
                type: 'button',
                class: 'cand phrase',
                onclick: () => {
                  setText(text + (text && pinyin ? '，' : text ? '. ' : '') + p);
                  paint();
                },
              },
              p,
            ),
          )),
    );
  }
  const key = (label: string, act: () => void, cls = '', aria?: string) =>
    h('button', { type: 'button', class: `key ${cls}`, onclick: act, ...(aria ? { 'aria-label': aria } : {}) }, label);
  const rows = ROWS.map((r, i) => h('div', { class: 'kb-row' }, ...[...r].map((ch) => key(ch, () => letter(ch))), i === 2 ? key('←', backspace, 'fn wide', o.w.backspace) : null));
  const comma = key(
    '，',
    () => {
      commitBuffer();
      setText(text + (pinyin ? '，' : ','));
      paint();
    },
    'fn',
  );
  const stop = key(
    '。',
    () => {
      commitBuffer();
      setText(text + (pinyin ? '。' : '.'));
      paint();
    },
    'fn',
  );
  const bottom = h(
    'div',
    { class: 'kb-row' },
    modeKey,
    comma,
    key(
      o.w.space,
      () => {
        if (buffer) commitBuffer();
        else setText(text + (pinyin ? '' : ' '));
        paint();
      },
      'space',
    ),
    stop,
    key(
      o.w.clear,
      () => {
        buffer = '';
        setText('');
        paint();
      },
      'fn wide',
    ),
    key(
      o.w.done,
      () => {
        commitBuffer();
        sheet.close();
      },
      'done wide',
    ),
  );
  const body = h('div', { class: 'kb' }, h('p', { class: 'sheet-label' }, o.label), h('div', { class: 'kb-display' }, shown, bufferLine), candBar, ...rows, bottom);
  const sheet = openSheet(o.label, body, () => undefined);
  paint();
  return sheet;
}
