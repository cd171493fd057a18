/**
 * Device store benchmark (issues 2 and 14). Commit latency is measured interleaved with its baseline
 * over BENCH_ROUNDS rounds (scripts/bench/rounds.ts), each round on fresh database files
 * (scripts/bench/device-commit.ts); printed: the medians over rounds of
 *  - raw better-sqlite3: one-row INSERT commits in WAL + synchronous=FULL (the floor), p50/p99;
 *  - the device runtime: press → durable commit (hash, sign, state machine, INSERT, commit), p50/p99;
 *  - the median of the per-round p99 ratios device/raw with its min–max spread (target ≤ 3×), and the
 *    same for p50 (no target; the steadier figure, to read the p99 ratio against).
 * Then, measured once (scripts/bench/device-rss.ts): RSS of the device program idle, and with a
 * 100,000-rating outbox (targets 100 / 120 MiB), both as shipped (an esbuild bundle run by node)
 * and under tsx (the development runner).
 * Usage: npm run bench:device [-- --n 3000 --backlog 100000]   (BENCH_ROUNDS=3 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CommitLatency, rawCommit, runtimeCommit } from './bench/device-commit.js';
import { buildDeviceBundle, configFor, fillOutbox, rssOf } from './bench/device-rss.js';
import { printQuietWaits } from './bench/quiet-machine.js';
import { fmt, interleave, median, ratios, ratioText } from './bench/rounds.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '3000' }, backlog: { type: 'string', default: '100000' } } });
const N = Number(values.n);
const BACKLOG = Number(values.backlog);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROOT = resolve(import.meta.dirname, '..');

const r = await interleave(
  ROUNDS,
  () => runtimeCommit(N),
  () => rawCommit(N),
);
const ms = (x: number) => `${x.toFixed(3)} ms`;
const med = (xs: CommitLatency[], k: keyof CommitLatency) => median(xs.map((x) => x[k]));
const ratioOf = (k: 'p50' | 'p99') => ratioText(ratios({ figure: r.figure.map((x) => x[k]), baseline: r.baseline.map((x) => x[k]) }));
console.log(`commit latency, ${fmt(N)} commits each per round (WAL, synchronous=FULL, this machine's disk)`);
console.log(`${ROUNDS} rounds, the device interleaved with the raw commit, fresh files each round; medians over rounds, ratio = median of per-round ratios (min–max)`);
console.log(`  raw better-sqlite3 one-row commit : p50 ${ms(med(r.baseline, 'p50'))}  p99 ${ms(med(r.baseline, 'p99'))}  ${fmt(med(r.baseline, 'perSec'))} commits/s`);
console.log(`  device press → durable commit     : p50 ${ms(med(r.figure, 'p50'))}  p99 ${ms(med(r.figure, 'p99'))}  ${fmt(med(r.figure, 'perSec'))} ratings/s`);
console.log(`  p99 ratio device/raw              : ${ratioOf('p99')}  (target ≤ 3×)`);
console.log(`  p50 ratio device/raw              : ${ratioOf('p50')}`);
printQuietWaits();

const bundled = await buildDeviceBundle(ROOT);
const idleDir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
const fullDir = mkdtempSync(join(tmpdir(), 'bench-full-'));
const t0 = performance.now();
fillOutbox(fullDir, BACKLOG);
console.log(`\nRSS of the device program, measured once (outbox of ${fmt(BACKLOG)} ratings made in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
for (const [label, cmd] of [
  ['shipped (node, esbuild bundle)', [bundled]],
  ['development (node --import tsx)', ['--import', 'tsx', join(ROOT, 'device/main.ts')]],
] as const) {
  const idle = await rssOf(ROOT, [...cmd], configFor(idleDir, 'dev-idle'), 2000);
  const full = await rssOf(ROOT, [...cmd], configFor(fullDir, 'dev-rss'), 2000);
  console.log(`  ${label.padEnd(32)}: idle ${idle.toFixed(1)} MiB (target ≤ 100), ${fmt(BACKLOG)}-rating outbox ${full.toFixed(1)} MiB (target ≤ 120)`);
}
for (const dir of [idleDir, fullDir]) rmSync(dir, { recursive: true, force: true });
