/**
 * Uplink drain rate against the provincial simulator's own max accept rate, same run, same machine:
 *   npm run bench:uplink [-- --ratings 100000 --batch 200 --concurrency 4]
 * Baseline: a tight client posting pre-signed batches to a fresh simulator process (no SQLite on
 * the client side, mapping and signing done before the clock starts). Uplink: the backlog, in the
 * ratings ledger since a day ago (assessed as it came, while the province was down), enqueued
 * from `assessment_log` (timed apart), then the real sender (batching, per-device order, mapping,
 * signing, group-committed outcomes under synchronous=FULL) draining it into a second fresh
 * simulator process. Target ratio ≥ 0.8. Each round (BENCH_ROUNDS, 3 by default) runs both on
 * fresh simulators, the uplink on a fresh copy of the backlog's database, interleaved
 * (scripts/bench/rounds.ts): printed are medians and the median per-round ratio with its spread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { AuditLog } from '../gateway/audit/audit-log.js';
import { TypedEventBus } from '../gateway/events/event-bus.js';
import { systemClock, type GatewayEvents } from '../gateway/feature.js';
import { ConsoleAuth } from '../gateway/http/console-auth.js';
import { Assessor } from '../gateway/ratings/assessor.js';
import { ratingItemOf } from '../gateway/uplink/items.js';
import { ReferenceConfigSchema } from '../gateway/uplink/provinces/reference/config.js';
import { mapRating } from '../gateway/uplink/provinces/reference/mapping.js';
import { ReferenceAdapter } from '../gateway/uplink/provinces/reference/reference-adapter.js';
import { signedHeaders } from '../gateway/uplink/provinces/reference/signing.js';
import { UplinkFeature } from '../gateway/uplink/uplink-feature.js';
import { printQuietWaits } from './bench/quiet-machine.js';
import { fmt, interleave, median, ratioText } from './bench/rounds.js';
import { addWindow, FakeDevice, openTestStore, silent, storeRecords, TestClock } from '../test/uplink/support/fixtures.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const { values } = parseArgs({
  options: { ratings: { type: 'string', default: '100000' }, batch: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '4' } },
});
const N = Number(values.ratings);
const BATCH = Number(values.batch);
const CONC = Number(values.concurrency);
const KEY = 'bench-shared-key-0123456789';
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'bench-uplink-'));
const children: ChildProcess[] = [];

async function startSim(name: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'province-sim.ts'), '--port', '0', '--key', KEY, '--db', join(dir, `${name}.db`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const rl = createInterface({ input: child.stdout! });
  for await (const line of rl) {
    const m = /"listening":"([^"]+)"/.exec(line);
    if (m) return m[1]!;
  }
  throw new Error('simulator did not start');
}

async function stats(url: string): Promise<{ accepted: number; stored: number; duplicates: number }> {
  return (await fetch(`${url}/admin/stats`)).json() as Promise<{ accepted: number; stored: number; duplicates: number }>;
}

function province(url: string) {
  return ReferenceConfigSchema.parse({ adapter: 'reference', url: `${url}/province/ratings`, appId: 'bench', key: KEY, areaCode: '131000', deptCode: 'BENCH' });
}

// The backlog: N signed ratings from 50 devices, stored and assessed a day ago.
const t0 = Date.now() - DAY;
const store = await openTestStore(join(dir, 'gateway.db'));
for (let k = 0; k < 50; k++) await addWindow(store, `w-b${k}`, String(k + 1));
const devs = Array.from({ length: 50 }, (_, k) => new FakeDevice(`dev-b${String(k).padStart(2, '0')}`, `w-b${k}`));
const genStart = performance.now();
for (let i = 0; i < N; i += 10_000) {
  const recs = Array.from({ length: Math.min(10_000, N - i) }, (_, j) => {
    const n = i + j;
    return devs[n % 50]!.rating(new Date(t0 + n * 500), ((n % 5) + 1) as 1 | 2 | 3 | 4 | 5, { caseNo: `B-${n}`, itemCode: `I-${n % 40}`, itemName: '事项' });
  });
  await storeRecords(store, recs, { storedAt: new Date(t0 + (i + recs.length) * 500) });
}
const storeSecs = (performance.now() - genStart) / 1000;
const assessStart = performance.now();
await new Assessor(store, new TestClock(t0 + N * 500), silent, () => {}).catchUp();
console.log(`backlog: ${N} signed ratings stored in ${storeSecs.toFixed(1)} s, assessed into the ratings ledger in ${((performance.now() - assessStart) / 1000).toFixed(1)} s`);

await store.close();
// Each round works on its own copy of this file: a fresh outbox, the same backlog.
const backlogFile = join(dir, 'gateway.db');

/** The province's pre-mapped, pre-signed batches of the whole backlog (made before any clock starts). */
async function presignedRequests(): Promise<Array<{ body: string; headers: Record<string, string> }>> {
  const ledgerStore = await openTestStore(backlogFile);
  const profile = province('http://unused');
  const ledger = await ledgerStore.db.selectFrom('assessments').selectAll().orderBy('seq').execute();
  await ledgerStore.close();
  const payloads = ledger.map((a) => mapRating(ratingItemOf(a), profile));
  const signedAt = Date.now();
  return Array.from({ length: Math.ceil(N / BATCH) }, (_, k) => {
    const body = JSON.stringify({ records: payloads.slice(k * BATCH, (k + 1) * BATCH) });
    return { body, headers: signedHeaders('bench', KEY, body, signedAt) };
  });
}

/** 1. Baseline: the simulator's max accept rate, a tight client posting the pre-signed batches to a fresh simulator. */
async function baselineRound(round: number): Promise<number> {
  let requests = await presignedRequests();
  const sim = await startSim(`baseline-${round}`);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const res = await fetch(`${sim}/province/ratings`, { method: 'POST', headers: r.headers, body: r.body });
        if (res.status !== 200) throw new Error(`baseline got HTTP ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  const secs = (performance.now() - started) / 1000;
  const a = await stats(sim);
  if (a.accepted !== N) throw new Error(`baseline stored ${a.accepted} of ${N}`);
  // Drop the baseline's objects so their garbage collection does not land on the uplink's clock.
  requests = [];
  return N / secs;
}

interface UplinkRound {
  enqueueRate: number;
  enqueueCpu: number;
  drainRate: number;
  drainCpu: number;
  duplicates: number;
}

// CPU seconds beside the wall clock: on a shared, loaded machine they move far less between runs.
const cpuSecs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

/**
 * 2. The uplink, on a copy of the backlog. As after an outage, the backlog is first put in the
 * outbox (enqueued while the province was down), then the province comes back and the sender
 * drains it into a fresh simulator.
 */
async function uplinkRound(round: number): Promise<UplinkRound> {
  const file = join(dir, `round-${round}.db`);
  copyFileSync(backlogFile, file);
  const roundStore = await openTestStore(file);
  const sim = await startSim(`uplink-${round}`);
  const audit = new AuditLog(roundStore, systemClock);
  const feature = new UplinkFeature({
    store: roundStore,
    clock: systemClock,
    logger: silent,
    events: new TypedEventBus<GatewayEvents>(silent),
    adapter: new ReferenceAdapter(province(sim)),
    guard: new ConsoleAuth(roundStore, systemClock, audit).require('hall-it'),
    audit,
    outbox: { batchSize: BATCH, concurrency: CONC },
    sending: { idleMs: 20 },
  });
  const enqStart = performance.now();
  const enqCpu = process.cpuUsage();
  const enqueued = await feature.enqueuer.drain();
  const enqueueSecs = (performance.now() - enqStart) / 1000;
  const enqueueCpu = cpuSecs(enqCpu);
  if (enqueued !== N) throw new Error(`enqueued ${enqueued} of ${N}`);
  const drainStart = performance.now();
  const drainCpu = process.cpuUsage();
  // For a CPU profile of the drain alone (summarise-profile.ts's from/to): seconds since the process started.
  if (process.env.BENCH_MARKS) console.log(`drain from ${(drainStart / 1000).toFixed(2)} s`);
  feature.sender.start();
  // A literal, not a parameter: only then may SQLite use the partial index of pending rows (sender.ts).
  const anyPending = () => roundStore.db.selectFrom('uplink_outbox').select('id').where('state', '=', sql.lit('pending')).limit(1).executeTakeFirst();
  while ((await anyPending()) !== undefined) await new Promise((r) => setTimeout(r, 25));
  const drainSecs = (performance.now() - drainStart) / 1000;
  if (process.env.BENCH_MARKS) console.log(`drain to ${(performance.now() / 1000).toFixed(2)} s`);
  const drainCpuSecs = cpuSecs(drainCpu);
  await feature.sender.stop();
  await roundStore.close();
  rmSync(file, { force: true });
  const b = await stats(sim);
  if (b.stored !== N) throw new Error(`uplink delivered ${b.stored} of ${N}`);
  return { enqueueRate: N / enqueueSecs, enqueueCpu, drainRate: N / drainSecs, drainCpu: drainCpuSecs, duplicates: b.duplicates };
}

let uplinkRounds = 0;
let baselineRounds = 0;
const r = await interleave(
  ROUNDS,
  () => uplinkRound(uplinkRounds++),
  () => baselineRound(baselineRounds++),
);
const up = r.figure;
const base = r.baseline;
const m = (xs: number[], digits = 0) => (digits ? median(xs).toFixed(digits) : fmt(median(xs)));
console.log(`\n${ROUNDS} rounds, the uplink and its baseline interleaved; medians, ratio = median of per-round ratios (min–max)`);
console.log(`simulator max accept rate (pre-signed batches of ${BATCH}, ${CONC} in flight): ${m(base)} ratings/s`);
console.log(
  `uplink enqueue from the ratings ledger (hold/merge, items, outbox insert): ${m(up.map((x) => x.enqueueRate))} ratings/s, gateway CPU ${m(
    up.map((x) => x.enqueueCpu),
    2,
  )} s`,
);
console.log(
  `uplink drain rate of the enqueued backlog (batches of ${BATCH}, ${CONC} in flight): ${m(up.map((x) => x.drainRate))} ratings/s, gateway CPU ${m(
    up.map((x) => x.drainCpu),
    2,
  )} s, duplicates ${up.reduce((s, x) => s + x.duplicates, 0)}`,
);
console.log(`ratio uplink drain / simulator: ${ratioText(up.map((x, i) => x.drainRate / base[i]!))}  (target ≥ 0.80)`);
printQuietWaits();
for (const c of children) c.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
