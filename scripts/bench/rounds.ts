/**
 * Interleaved rounds (issue 14, "make every bench's ratio mean something"): each figure and its
 * baseline are measured alternately, round after round (the order flips each round so neither
 * always runs on a warmer or a quieter machine), and the bench prints the median of each and the
 * median of the per-round ratios with their spread (min–max). Each measurement starts on a quiet
 * machine (quiet-machine.ts): what the previous one left running does not land in the next.
 */
import { quietMachine } from './quiet-machine.js';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface Paired<T, B = T> {
  figure: T[];
  baseline: B[];
}

/** Run `figure` and `baseline` `rounds` times, alternating which goes first, each on a quiet machine. */
export async function interleave<T, B = T>(rounds: number, figure: () => Promise<T>, baseline: () => Promise<B>): Promise<Paired<T, B>> {
  const out: Paired<T, B> = { figure: [], baseline: [] };
  const measure = async () => {
    await quietMachine();
    out.figure.push(await figure());
  };
  const measureBaseline = async () => {
    await quietMachine();
    out.baseline.push(await baseline());
  };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await measure();
      await measureBaseline();
    } else {
      await measureBaseline();
      await measure();
    }
  }
  return out;
}

/** Per-round ratios figure/baseline. */
export const ratios = (p: Paired<number>): number[] => p.figure.map((f, i) => f / p.baseline[i]!);

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** "median ratio 0.41× (0.38–0.45 over 3 rounds)" */
export function ratioText(ratios: number[], digits = 2): string {
  return `${median(ratios).toFixed(digits)}× (${Math.min(...ratios).toFixed(digits)}–${Math.max(...ratios).toFixed(digits)} over ${ratios.length} rounds)`;
}
