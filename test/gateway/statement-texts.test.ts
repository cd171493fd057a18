/**
 * PostgreSQL's hot statement texts (gateway/store/statement-texts.ts): the sizes a multi-row
 * statement is split into, the VALUES tuples' numbering and casts, and which texts are kept.
 */
import { expect, it } from 'vitest';
import { rowsInNext, TextsByRows, valuesTuples } from '../../gateway/store/statement-texts.js';

it('splits rows into at most ten sizes, none over the cap', () => {
  const sizes = new Set<number>();
  for (const cap of [500, 200, 50]) {
    for (let total = 1; total <= 1200; total++) {
      let written = 0;
      while (written < total) {
        const n = rowsInNext(total - written, cap);
        expect(n).toBeGreaterThan(0);
        expect(n).toBeLessThanOrEqual(Math.min(cap, total - written));
        sizes.add(n);
        written += n;
      }
      expect(written).toBe(total);
    }
  }
  expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 200, 500]);
  expect(rowsInNext(50, 50)).toBe(32);
  expect(rowsInNext(499)).toBe(200);
});

it('numbers the tuples from $1 and casts the columns asked for', () => {
  expect(valuesTuples(1, 2)).toBe('($1, $2)');
  expect(valuesTuples(2, 3, [null, 'INTEGER'])).toBe('($1, CAST($2 AS INTEGER), $3), ($4, CAST($5 AS INTEGER), $6)');
});

it('makes each count once up to what it keeps, and a larger one at each use, not kept', () => {
  const made: number[] = [];
  const texts = new TextsByRows((n) => {
    made.push(n);
    return `text ${n}`;
  }, 4);
  expect(texts.get(3)).toEqual({ text: 'text 3', kept: true });
  expect(texts.get(3)).toEqual({ text: 'text 3', kept: true });
  expect(texts.get(5)).toEqual({ text: 'text 5', kept: false });
  expect(texts.get(5)).toEqual({ text: 'text 5', kept: false });
  expect(made).toEqual([3, 5, 5]);
});
