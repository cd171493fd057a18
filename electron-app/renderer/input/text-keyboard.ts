/**
 * On-screen keyboard for the comment. The keys are simple-keyboard's (touch and pointer handling,
 * rendered as real <button>s); the pinyin dictionary is its Chinese layout's (pinyin-dict.ts). The
 * candidate bar is ours: large targets, paged, and the quick phrases an elderly citizen can tap
 * instead of typing when nothing is being spelled. An English mode types letters as they are.
 */
import { SimpleKeyboard } from 'simple-keyboard';
import { h } from '../dom.js';
import type { Words } from '../i18n.js';
import { type Candidate, candidates, QUICK_PHRASES } from './pinyin-dict.js';
import { openSheet, type Sheet } from './sheet.js';

/**
 * Letters only, and the few keys a comment needs: the Chinese layout's full PC keyboard (tab,
 * caps lock, shift, ".com") would only be more to miss for a citizen who rarely types.
 */
const LAYOUT = ['q w e r t y u i o p', 'a s d f g h j k l', 'z x c v b n m {bksp}', '{mode} , {space} . {clear} {done}'];
const LETTERS = 'qwertyuiopasdfghjklzxcvbnm';
const MAX = 500;
/** Candidates per page of the bar: a row of thumb-sized buttons even in portrait. */
const PAGE = 8;

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
  let page = 0;
  let pinyin = !o.english;
  const shown = h('output', { class: 'kb-text', 'aria-live': 'polite' });
  const bufferLine = h('span', { class: 'kb-buffer', 'aria-live': 'polite' });
  const candBar = h('div', { class: 'kb-candidates', role: 'group', 'aria-label': o.w.keyboard });
  const keysHost = h('div', { class: 'kb-keys' });

  const setText = (t: string) => {
    text = t.slice(0, MAX);
    o.onChange(text);
  };
  /** Space, punctuation or done with letters pending: the first candidate, as an IME does. */
  function commitBuffer(): void {
    if (!buffer) return;
    const first = candidates(buffer, 1)[0];
    setText(text + (first ? first.text + buffer.slice(first.consumes) : buffer));
    buffer = '';
  }
  function pick(c: Candidate): void {
    setText(text + c.text);
    buffer = buffer.slice(c.consumes);
    page = 0;
    paint();
  }
  function press(key: string): void {
    if (LETTERS.includes(key)) {
      if (pinyin) {
        buffer = (buffer + key).slice(0, 24);
        page = 0;
      } else setText(text + key);
    } else if (key === '{bksp}') {
      if (buffer) buffer = buffer.slice(0, -1);
      else setText([...text].slice(0, -1).join(''));
      page = 0;
    } else if (key === ',' || key === '.') {
      commitBuffer();
      setText(text + (pinyin ? { ',': '，', '.': '。' }[key] : key));
    } else if (key === '{space}') {
      if (buffer) commitBuffer();
      else if (!pinyin) setText(`${text} `);
    } else if (key === '{mode}') {
      commitBuffer();
      pinyin = !pinyin;
    } else if (key === '{clear}') {
      buffer = '';
      setText('');
    }
    paint();
  }
  /**
   * simple-keyboard acts on pointerdown. Done closes the sheet, so it waits for the tap's click on
   * the key itself: closed at pointerdown, the same tap's click would land on whatever lies under
   * the sheet (the Submit button, in portrait).
   */
  keysHost.addEventListener('click', (e) => {
    if (!(e.target instanceof Element) || !e.target.closest('[data-skbtn="{done}"]')) return;
    commitBuffer();
    sheet.close();
  });

  const keyboard = new SimpleKeyboard(keysHost, {
    layout: { default: LAYOUT },
    theme: 'kb-keys-theme',
    useButtonTag: true,
    // A finger resting on a key must not repeat it: elderly citizens press slowly.
    disableButtonHold: true,
    // No text of its own: this sheet holds the comment and the pinyin buffer.
    onKeyPress: (key: string) => {
      keyboard.clearInput();
      press(key);
    },
    buttonTheme: [
      { class: 'key', buttons: LAYOUT.join(' ') },
      { class: 'fn', buttons: '{bksp} {mode} , . {clear}' },
      { class: 'wide', buttons: '{bksp} {clear} {done}' },
      { class: 'space', buttons: '{space}' },
      { class: 'done', buttons: '{done}' },
    ],
  });
  let labelledFor: boolean | null = null;
  /** Relabel the keys for the mode (a re-render of the keys, so only when the mode changed). */
  const labelKeys = () => {
    if (labelledFor === pinyin) return;
    labelledFor = pinyin;
    const modeName = pinyin ? '中' : 'EN';
    keyboard.setOptions({
      display: { '{bksp}': '←', '{mode}': modeName, ',': pinyin ? '，' : ',', '.': pinyin ? '。' : '.', '{space}': o.w.space, '{clear}': o.w.clear, '{done}': o.w.done },
      buttonAttributes: [
        { attribute: 'aria-label', value: o.w.backspace, buttons: '{bksp}' },
        { attribute: 'aria-label', value: `${o.w.keyboard}: ${modeName}`, buttons: '{mode}' },
      ],
    });
  };

  function paintCandidates(): void {
    if (!buffer) {
      candBar.replaceChildren(
        ...(pinyin ? QUICK_PHRASES.zh : QUICK_PHRASES.en).map((p) =>
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
        ),
      );
      return;
    }
    const all = candidates(buffer);
    const pages = Math.max(1, Math.ceil(all.length / PAGE));
    page = Math.min(page, pages - 1);
    const turn = (to: number, label: string, glyph: string) =>
      h(
        'button',
        {
          type: 'button',
          class: 'cand page',
          'aria-label': label,
          disabled: to < 0 || to >= pages,
          onclick: () => {
            page = to;
            paintCandidates();
          },
        },
        glyph,
      );
    candBar.replaceChildren(
      ...all.slice(page * PAGE, (page + 1) * PAGE).map((c) => h('button', { type: 'button', class: 'cand', onclick: () => pick(c) }, c.text)),
      ...(pages > 1 ? [turn(page - 1, o.w.previousCandidates, '‹'), turn(page + 1, o.w.moreCandidates, '›')] : []),
    );
  }
  function paint(): void {
    shown.textContent = text;
    bufferLine.textContent = buffer;
    labelKeys();
    paintCandidates();
  }

  const body = h('div', { class: 'kb' }, h('p', { class: 'sheet-label' }, o.label), h('div', { class: 'kb-display' }, shown, bufferLine), candBar, keysHost);
  const sheet = openSheet(o.label, body, () => keyboard.destroy());
  paint();
  return sheet;
}
