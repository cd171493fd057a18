/** How every interleaved bench prints a ratio (scripts/bench/rounds.ts): the median of the per-round ratios, and their spread. */
import { expect, it } from 'vitest';
import { median, ratioText } from '../../scripts/bench/rounds.js';

it('prints the median per-round ratio with its min–max, and counts one round as one', () => {
  expect(ratioText([0.9, 0.5, 1.2])).toBe('0.90× (0.50–1.20 over 3 rounds)');
  expect(ratioText([0.4, 0.6])).toBe('0.50× (0.40–0.60 over 2 rounds)');
  expect(ratioText([0.51])).toBe('0.51× (0.51–0.51 over 1 round)');
  expect(ratioText([1.234, 2.5], 1)).toBe('1.9× (1.2–2.5 over 2 rounds)');
  expect(median([3, 1, 2, 10])).toBe(2.5);
});

it("says a ratio is none when a round's baseline is 0, instead of NaN× or Infinity×", () => {
  // unit-env-ab.ts's "glibc's main heap" under the unit's jemalloc: 0 MiB on both sides.
  expect(ratioText([0 / 0, 0 / 0, 0 / 0], 1)).toBe("none (the baseline's figure is 0 in 3 of 3 rounds)");
  expect(ratioText([1.1, 2 / 0])).toBe("none (the baseline's figure is 0 in 1 of 2 rounds)");
});
