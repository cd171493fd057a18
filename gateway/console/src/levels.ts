/**
 * The five levels as the console shows them (RULES.md R1: 5 = 非常满意 … 1 = 非常不满意; the
 * bottom two are 差评), and the reasons' words from the contract's catalogue. Only zod-free parts of
 * the contract: its index brings ~100 kB of validators the live page would parse for nothing.
 */
import type { RatingLevel } from '@hcp/contract';
import { CURRENT_REASON_VERSION, reasonWords } from '@hcp/contract/reason-words';

export const LEVELS_HIGH_FIRST: readonly RatingLevel[] = [5, 4, 3, 2, 1];

export function isLevel(n: number): n is RatingLevel {
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5;
}

/** Colours of the levels in charts: greens for good, grey for 基本满意, reds for 差评 (all ≥ 4.5:1 on white). */
export const LEVEL_COLOURS: Record<RatingLevel, string> = { 5: '#2b7a0b', 4: '#4f8a2e', 3: '#5f6470', 2: '#b5541b', 1: '#c42b1c' };

/**
 * A reason code in words. The live feed does not say which catalogue version a rating was made
 * against, so the current one is used; an unknown code shows as its number.
 */
export function reasonText(code: number, lang: string): string {
  const item = reasonWords(CURRENT_REASON_VERSION, code);
  if (!item) return String(code);
  return lang === 'en' ? item.en : item.zh;
}
