/**
 * No tofu: every character the kiosk can put on screen (its words in zh/en/bo, level names, the
 * reason catalogue, the pinyin candidates and quick phrases, its symbols) is covered by a font of
 * its CSS stack, read from fontconfig's charsets of the installed Debian fonts.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, LEVELS, RATING_LEVELS } from '../../device/contract/index.js';
import { LANGUAGE_NAMES, WORDS } from '../../electron-app/renderer/i18n.js';
import { DICTIONARY_TEXT } from '../../electron-app/renderer/input/pinyin-dict.js';

const STACK = ['Noto Sans CJK SC', 'Noto Sans', 'Noto Serif Tibetan', 'Tibetan Machine Uni'];
const SYMBOLS = '←✓●…·，。：（）‹›A0123456789';

function charset(family: string): (cp: number) => boolean {
  const out = execFileSync('fc-list', [family, '--format', '%{charset}\n'], { encoding: 'utf8' });
  const ranges = out
    .split(/\s+/)
    .filter(Boolean)
    .map((r) => r.split('-').map((x) => parseInt(x, 16)) as [number, number?]);
  return (cp) => ranges.some(([a, b]) => cp >= a && cp <= (b ?? a));
}

describe('the kiosk fonts', () => {
  it('cover every character the kiosk shows', () => {
    const text = [
      ...Object.values(WORDS).flatMap((w) => Object.values(w).map((v) => (typeof v === 'function' ? v(60) : v))),
      ...RATING_LEVELS.flatMap((l) => [LEVELS[l].zh, LEVELS[l].en, LEVELS[l].bo]),
      ...[...CATALOGUES.values()].flatMap((c) => c.items.flatMap((i) => [i.zh, i.en, i.bo ?? ''])),
      ...Object.values(LANGUAGE_NAMES),
      DICTIONARY_TEXT,
      SYMBOLS,
    ].join('');
    const fonts = STACK.map(charset);
    const chars = [...new Set([...text])].filter((ch) => !/\s/.test(ch));
    const missing = chars.filter((ch) => !fonts.some((has) => has(ch.codePointAt(0)!)));
    expect(chars.length).toBeGreaterThan(500);
    expect(missing.map((ch) => `${ch} U+${ch.codePointAt(0)!.toString(16)}`)).toEqual([]);
  });
});
