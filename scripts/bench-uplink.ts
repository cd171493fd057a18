/**
 * Uplink drain rate against the provincial simulator's own max accept rate, same run, same machine:
 *   npm run bench:uplink [-- --ratings 100000 --batch 200 --concurrency 4]
 * Baseline: a tight client posting pre-signed batches to a fresh simulator process (no SQLite on
 * the client side, signing done before the clock starts). Uplink: the backlog enqueued from a
 * gateway `records` table (timed apart: after an outage it was enqueued while the province was
 * down), then the real sender (batching, per-device order, signing, group-committed outcomes under
 * synchronous=FULL) draining it into a second fresh simulator process. Target ratio ≥ 0.8.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { HttpProvinceAdapter } from '../gateway/uplink/http-adapter.js';
import { mapRating } from '../gateway/uplink/national-mapping.js';
import { signedHeaders } from '../gateway/uplink/signing.js';
import { UplinkFeature } from '../gateway/uplink/uplink-feature.js';
import { FakeDevice, openRecordsDb, storeRecords } from '../test/uplink/support/fixtures.js';

const { values } = parseArgs({ options: { ratings: { type: 'string', default: '100000' }, batch: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '4' } } });
const N = Number(values.ratings);
const BATCH = Number(values.batch);
const CONC = Number(values.concurrency);
const KEY = 'bench-shared-key-0123456789';
const profile = { areaCode: '131000', deptCode: 'BENCH' };
const dir = mkdtempSync(join(tmpdir(), 'bench-uplink-'));
const children: ChildProcess[] = [];

async function startSim(name: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'province-sim.ts'), '--port', '0', '--key', KEY, '--db', join(dir, `${name}.db`)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

// The backlog: N signed ratings from 50 devices, stored a day ago (no detail hold pending).
const t0 = Date.now() - 86_400_000;
const devs = Array.from({ length: 50 }, (_, k) => new FakeDevice(`dev-b${String(k).padStart(2, '0')}`, `W${k}`));
const db = openRecordsDb(join(dir, 'gateway.db'));
const genStart = performance.now();
let recs = Array.from({ length: N }, (_, i) => devs[i % 50]!.rating(new Date(t0 + i * 500), ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5, { caseNo: `B-${i}`, itemCode: `I-${i % 40}`, itemName: '事项' }));
for (let i = 0; i < N; i += 10_000) storeRecords(db, recs.slice(i, i + 10_000), new Date(t0));
console.log(`backlog: ${N} signed ratings stored in ${((performance.now() - genStart) / 1000).toFixed(1)} s`);

// 1. Baseline: the simulator's max accept rate.
const simA = await startSim('baseline');
let payloads = recs.map((r) => mapRating(r, null, profile));
let bodies: string[] = [];
for (let i = 0; i < N; i += BATCH) bodies.push(JSON.stringify({ records: payloads.slice(i, i + BATCH) }));
const signStart = Date.now();
let requests = bodies.map((body) => ({ body, headers: signedHeaders('bench', KEY, body, signStart) }));
let next = 0;
const baseStart = performance.now();
await Promise.all(Array.from({ length: CONC }, async () => {
  while (next < requests.length) {
    const r = requests[next++]!;
    const res = await fetch(`${simA}/province/ratings`, { method: 'POST', headers: r.headers, body: r.body });
    if (res.status !== 200) throw new Error(`baseline got HTTP ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
}));
const baseSecs = (performance.now() - baseStart) / 1000;
const a = await stats(simA);
if (a.accepted !== N) throw new Error(`baseline stored ${a.accepted} of ${N}`);
const baseRate = N / baseSecs;
// Drop the baseline's 100,000 objects so their garbage collection does not land on the uplink's clock.
recs = [];
payloads = [];
bodies = [];
requests = [];

// 2. The uplink. As after an outage, the backlog is first in the outbox (enqueued while the
// province was down), then the province comes back and the sender drains it.
const simB = await startSim('uplink');
const feature = new UplinkFeature({
  db, profile, logger: pino({ level: 'silent' }),
  adapter: new HttpProvinceAdapter({ url: `${simB}/province/ratings`, appId: 'bench', key: KEY }),
  sender: { batchSize: BATCH, concurrency: CONC, idleMs: 20 },
});
const enqStart = performance.now();
const enqueued = feature.enqueuer.drain();
const enqueueSecs = (performance.now() - enqStart) / 1000;
if (enqueued !== N) throw new Error(`enqueued ${enqueued} of ${N}`);
const drainStart = performance.now();
feature.sender.start();
const pending = db.prepare("SELECT 1 FROM uplink_outbox WHERE state = 'pending' LIMIT 1").pluck();
while (pending.get() !== undefined) await new Promise((r) => setTimeout(r, 25));
const drainSecs = (performance.now() - drainStart) / 1000;
await feature.stop();
const b = await stats(simB);
if (b.stored !== N) throw new Error(`uplink delivered ${b.stored} of ${N}`);
const drainRate = N / drainSecs;

console.log(`simulator max accept rate (pre-signed batches of ${BATCH}, ${CONC} in flight): ${baseRate.toFixed(0)} ratings/s (${baseSecs.toFixed(2)} s)`);
console.log(`uplink enqueue from records (hold/merge, mapping, outbox insert): ${(N / enqueueSecs).toFixed(0)} ratings/s (${enqueueSecs.toFixed(2)} s)`);
console.log(`uplink drain rate of the enqueued backlog (batches of ${BATCH}, ${CONC} in flight): ${drainRate.toFixed(0)} ratings/s (${drainSecs.toFixed(2)} s), duplicates ${b.duplicates}`);
console.log(`end to end from records (enqueue + drain): ${(N / (enqueueSecs + drainSecs)).toFixed(0)} ratings/s`);
console.log(`ratio uplink/simulator: ${(drainRate / baseRate).toFixed(2)} (target ≥ 0.80)`);
db.close();
for (const c of children) c.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
