import { describe, expect, it } from 'vitest';
import { candidates, DICTIONARY_TEXT, segment } from './pinyin-dict.js';

/** Type `pinyin` as a citizen does: pick the wanted candidate for the head of the buffer, repeat. */
function typeByPinyin(pinyin: string, wanted: string): string {
  let buffer = pinyin;
  let text = '';
  for (const ch of wanted) {
    const c = candidates(buffer).find((x) => x.text === ch);
    if (!c) throw new Error(`no candidate ${ch} for "${buffer}"`);
    text += c.text;
    buffer = buffer.slice(c.consumes);
  }
  expect(buffer).toBe('');
  return text;
}

describe('pinyin candidates', () => {
  it('splits toneless pinyin into syllables, longest first', () => {
    expect(segment('dengdai')).toEqual(['deng', 'dai']);
    expect(segment('paolehaojitang')).toEqual(['pao', 'le', 'hao', 'ji', 'tang']);
    expect(segment('xzq')).toEqual(['xzq']);
  });
  it('types the core complaint of the scheme, 跑了好几趟, from the library dictionary', () => {
    expect(typeByPinyin('paolehaojitang', '跑了好几趟')).toBe('跑了好几趟');
    // 跑 is the first character of "pao", 趟 among the first ten of "tang".
    expect(candidates('pao')[0]).toEqual({ text: '跑', consumes: 3 });
    expect(candidates('tang').findIndex((c) => c.text === '趟')).toBeLessThan(10);
  });
  it('covers all of GB 2312, far beyond the old 618-character table', () => {
    const hanzi = new Set([...DICTIONARY_TEXT].filter((ch) => /\p{Script=Han}/u.test(ch)));
    expect(hanzi.size).toBeGreaterThanOrEqual(6763);
    for (const ch of '跑趟耽误踢皮球') expect(hanzi.has(ch)).toBe(true);
  });
  it('offers whole words first, then characters of the first syllable', () => {
    const c = candidates('dengdai');
    expect(c[0]).toEqual({ text: '等待', consumes: 7 });
    expect(c.map((x) => x.text)).toContain('登');
    expect(c.find((x) => x.text === '等' && x.consumes === 4)).toBeDefined();
  });
  it('completes an unfinished syllable and returns nothing for nothing', () => {
    expect(candidates('zh').length).toBeGreaterThan(3);
    expect(candidates('')).toEqual([]);
  });
});
