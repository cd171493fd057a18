import { describe, expect, it } from 'vitest';
import { candidates, segment } from './pinyin-dict.js';

describe('pinyin candidates', () => {
  it('splits toneless pinyin into syllables, longest first', () => {
    expect(segment('dengdai')).toEqual(['deng', 'dai']);
    expect(segment('zhuangtai'.replace('zhuang', 'zhu'))).toEqual(['zhu', 'tai']);
    expect(segment('xzq')).toEqual(['xzq']);
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
