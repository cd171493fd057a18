/**
 * Wait until the machine is quiet before a measurement (issue 14, "make every bench's ratio mean
 * something"). A gateway goes on working after a burst — its assessor turns what it stored into
 * ledger rows, it collects its heap — and in one bench:gateway run the PostgreSQL gateway's
 * catch-up after its throughput phase ran during the SQLite gateway's press→ack phase: the bare
 * broker's own p99, measured in the same minutes, went from about 2 ms to 10 ms. Each measurement
 * therefore starts once the whole machine (every process: /proc/stat) has been nearly idle for a
 * moment, and the bench says how long it waited.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Nearly idle: under this share of all cores busy (a connected fleet's keep-alives stay well below). */
const QUIET_SHARE = 0.1;
const SAMPLE_MS = 500;
/** Samples in a row that must be quiet. */
const QUIET_SAMPLES = 2;
/**
 * Measure anyway after this long (a machine someone else is using): the bench says so.
 * BENCH_QUIET_WAIT_S=0: no wait at all (a test that runs a bench for its counts, beside other tests).
 */
const GIVE_UP_MS = Number(process.env.BENCH_QUIET_WAIT_S ?? 120) * 1000;

function cpuTicks(): { idle: number; total: number } {
  // The first line of /proc/stat: "cpu  user nice system idle iowait irq softirq steal …" in ticks.
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
}

/** Share of all cores busy over the next `ms` (every process on the machine). */
export async function machineBusy(ms: number): Promise<number> {
  const a = cpuTicks();
  await sleep(ms);
  const b = cpuTicks();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

let waitedMs = 0;
let gaveUp = 0;

/** Resolves once the machine has been quiet for QUIET_SAMPLES × SAMPLE_MS, or after GIVE_UP_MS. */
export async function quietMachine(): Promise<void> {
  if (GIVE_UP_MS <= 0) return;
  const t0 = performance.now();
  let quiet = 0;
  while (quiet < QUIET_SAMPLES) {
    if (performance.now() - t0 > GIVE_UP_MS) {
      gaveUp++;
      break;
    }
    quiet = (await machineBusy(SAMPLE_MS)) < QUIET_SHARE ? quiet + 1 : 0;
  }
  // The quiet samples themselves are the least any wait takes: count only what came before them.
  waitedMs += Math.max(0, performance.now() - t0 - QUIET_SAMPLES * SAMPLE_MS);
}

/** What the waits since the last call came to, for a bench's output ("" when nothing to say). */
function quietWaitSummary(): string {
  const s =
    waitedMs >= 1000 || gaveUp
      ? `waited ${(waitedMs / 1000).toFixed(0)} s in all for the machine to go quiet before measuring${gaveUp ? `; ${gaveUp} measurement(s) started on a busy machine after ${GIVE_UP_MS / 1000} s` : ''}`
      : '';
  waitedMs = 0;
  gaveUp = 0;
  return s;
}

/** Print, indented under a bench's figure, how long its measurements waited for a quiet machine (if it matters). */
export function printQuietWaits(log: (line: string) => void = console.log): void {
  const s = quietWaitSummary();
  if (s) log(`  (${s})`);
}
