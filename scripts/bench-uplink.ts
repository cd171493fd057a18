/**
 * Uplink drain rate against the provincial simulator's own max accept rate, same run, same machine:
 *   npm run bench:uplink [-- --ratings 100000 --batch 200 --concurrency 4]
 * Baseline: a tight client posting pre-signed batches to a fresh simulator process (no SQLite on
 * the client side, mapping and signing done before the clock starts). Uplink: the backlog, in the
 * ratings ledger since a day ago (assessed as it came, while the province was down), enqueued
 * from `assessment_log` (timed apart), then the real sender (batching, per-device order, mapping,
 * signing, group-committed outcomes under synchronous=FULL) draining it into a second fresh
 * simulator process. Target ratio ≥ 0.8.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { addWindow, FakeDevice, openTestStore, silent, storeRecords, TestClock } from '../test/uplink/support/fixtures.js';

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

// 1. Baseline: the simulator's max accept rate.
const simA = await startSim('baseline');
let bodies: string[] = [];
{
  const profile = province(simA);
  const ledger = await store.db.selectFrom('assessments').selectAll().orderBy('seq').execute();
  const payloads = ledger.map((a) => mapRating(ratingItemOf(a), profile));
  for (let i = 0; i < N; i += BATCH) bodies.push(JSON.stringify({ records: payloads.slice(i, i + BATCH) }));
}
const signStart = Date.now();
let requests = bodies.map((body) => ({ body, headers: signedHeaders('bench', KEY, body, signStart) }));
let next = 0;
const baseStart = performance.now();
await Promise.all(
  Array.from({ length: CONC }, async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const res = await fetch(`${simA}/province/ratings`, { method: 'POST', headers: r.headers, body: r.body });
      if (res.status !== 200) throw new Error(`baseline got HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  }),
);
const baseSecs = (performance.now() - baseStart) / 1000;
const a = await stats(simA);
if (a.accepted !== N) throw new Error(`baseline stored ${a.accepted} of ${N}`);
const baseRate = N / baseSecs;
// Drop the baseline's objects so their garbage collection does not land on the uplink's clock.
bodies = [];
requests = [];

// 2. The uplink. As after an outage, the backlog is first put in the outbox (enqueued while the
// province was down), then the province comes back and the sender drains it.
const simB = await startSim('uplink');
const audit = new AuditLog(store, systemClock);
const feature = new UplinkFeature({
  store,
  clock: systemClock,
  logger: silent,
  events: new TypedEventBus<GatewayEvents>(silent),
  adapter: new ReferenceAdapter(province(simB)),
  guard: new ConsoleAuth(store, systemClock, audit).require('hall-it'),
  audit,
  outbox: { batchSize: BATCH, concurrency: CONC },
  sending: { idleMs: 20 },
});
// CPU seconds beside the wall clock: on a shared, loaded machine they move far less between runs.
const cpuSecs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
const enqStart = performance.now();
const enqCpu = process.cpuUsage();
const enqueued = await feature.enqueuer.drain();
const enqueueSecs = (performance.now() - enqStart) / 1000;
const enqueueCpu = cpuSecs(enqCpu);
if (enqueued !== N) throw new Error(`enqueued ${enqueued} of ${N}`);
const drainStart = performance.now();
const drainCpu = process.cpuUsage();
feature.sender.start();
// A literal, not a parameter: only then may SQLite use the partial index of pending rows (sender.ts).
const anyPending = () => store.db.selectFrom('uplink_outbox').select('id').where('state', '=', sql.lit('pending')).limit(1).executeTakeFirst();
while ((await anyPending()) !== undefined) await new Promise((r) => setTimeout(r, 25));
const drainSecs = (performance.now() - drainStart) / 1000;
const drainCpuSecs = cpuSecs(drainCpu);
await feature.sender.stop();
const b = await stats(simB);
if (b.stored !== N) throw new Error(`uplink delivered ${b.stored} of ${N}`);
const drainRate = N / drainSecs;

console.log(`simulator max accept rate (pre-signed batches of ${BATCH}, ${CONC} in flight): ${baseRate.toFixed(0)} ratings/s (${baseSecs.toFixed(2)} s)`);
console.log(
  `uplink enqueue from the ratings ledger (hold/merge, items, outbox insert): ${(N / enqueueSecs).toFixed(0)} ratings/s (${enqueueSecs.toFixed(2)} s, gateway CPU ${enqueueCpu.toFixed(2)} s)`,
);
console.log(
  `uplink drain rate of the enqueued backlog (batches of ${BATCH}, ${CONC} in flight): ${drainRate.toFixed(0)} ratings/s (${drainSecs.toFixed(2)} s, gateway CPU ${drainCpuSecs.toFixed(2)} s), duplicates ${b.duplicates}`,
);
console.log(`end to end from the ratings ledger (enqueue + drain): ${(N / (enqueueSecs + drainSecs)).toFixed(0)} ratings/s`);
console.log(`ratio uplink/simulator: ${(drainRate / baseRate).toFixed(2)} (target ≥ 0.80)`);
await store.close();
for (const c of children) c.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
