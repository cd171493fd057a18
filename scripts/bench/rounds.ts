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

/**
 * As `interleave`, with what each round measures made first (`prepare`, not timed) and given to
 * both its figure and its baseline: both measure the same rows, and nothing made is left unsent.
 * bench:gateway once made the next round's ratings right after each figure: the last round's were
 * made and never sent, the devices' chains went on past them, and every later batch of those
 * devices was a chain gap, refused and acknowledged at once. Its backlog phase timed those
 * refusals (2–4 s) and called them stored; stored, the same backlog takes 3–4 s on SQLite and
 * about 10 s on PostgreSQL (scripts/bench/pg-backlog-probe.ts).
 */
export async function interleaveEach<P, T, B = T>(rounds: number, prepare: () => P, figure: (p: P) => Promise<T>, baseline: (p: P) => Promise<B>): Promise<Paired<T, B>> {
  let made: P | undefined;
  let uses = 0;
  // The round's rows are made by whichever of its two measurements runs first.
  const take = (): P => {
    if (uses++ % 2 === 0) made = prepare();
    return made as P;
  };
  return interleave(
    rounds,
    () => figure(take()),
    () => baseline(take()),
  );
}

/** Per-round ratios figure/baseline. */
export const ratios = (p: Paired<number>): number[] => p.figure.map((f, i) => f / p.baseline[i]!);

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * "median ratio 0.41× (0.38–0.45 over 3 rounds)". A round whose baseline figure is 0 has no ratio
 * (unit-env-ab.ts's glibc heap is empty when the unit's jemalloc serves malloc): said so, not NaN×.
 */
export function ratioText(ratios: number[], digits = 2): string {
  const rounds = `${ratios.length} round${ratios.length === 1 ? '' : 's'}`;
  const none = ratios.filter((r) => !Number.isFinite(r)).length;
  if (none > 0) return `none (the baseline's figure is 0 in ${none} of ${rounds})`;
  return `${median(ratios).toFixed(digits)}× (${Math.min(...ratios).toFixed(digits)}–${Math.max(...ratios).toFixed(digits)} over ${rounds})`;
}
