/**
 * What checking a 500-record batch costs on the checking thread (issue 14), on the built gateway's
 * pool: a new worker's start (five, each on a new pool), its first batch, its second,
 * then the median of many, next to the same check in place with zod (what a batch gets while the
 * worker is still starting, batch-check-pool.ts), and in place as the worker checks it, step by step
 * (check-parts.ts). Not a benchmark of the gateway: a breakdown.
 * Usage: npx tsx scripts/bench/check-cost.ts
 */
import { dirname, join } from 'node:path';
import pino from 'pino';
import type { BatchCheckPool as Pool } from '../../gateway/ingest/batch-check-pool.js';
import type { checkBatch as Check } from '../../gateway/ingest/batch-check.js';
import { parseRecordBatch } from '../../gateway/ingest/batch-schema.js';
import { buildGatewayForBench } from './built-gateway.js';
import { checkParts, checkPartsText } from './check-parts.js';
import { median } from './rounds.js';
import { BATCH, batchPayload, rawDevice } from './sim-devices.js';

// The built modules, so that the pool starts its worker from plain JavaScript, as installed.
const built = dirname(await buildGatewayForBench());
const { BatchCheckPool } = (await import(join(built, 'ingest', 'batch-check-pool.js'))) as { BatchCheckPool: typeof Pool };
const { checkBatch } = (await import(join(built, 'ingest', 'batch-check.js'))) as { checkBatch: typeof Check };

const d = rawDevice('dev-check-cost');
const payloads = Array.from({ length: 60 }, () => Buffer.from(batchPayload(d, BATCH)));
const timed = async (f: () => unknown) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

// The worker's start alone, STARTS times on a pool of its own; the checks then go to another, started worker.
const STARTS = 5;
const starts: number[] = [];
for (let i = 0; i < STARTS; i++) {
  const cold = new BatchCheckPool(pino({ level: 'silent' }), 1);
  starts.push(await timed(() => cold.warmUp()));
  await cold.close();
}
const pool = new BatchCheckPool(pino({ level: 'silent' }), 1);
await pool.warmUp();
// The pool hands a payload's bytes over: each check gets a copy.
const onWorker: number[] = [];
for (const p of payloads) onWorker.push(await timed(() => pool.check(d.id, Buffer.from(p), Date.now())));
await pool.close();
const inPlace = payloads.map((p) => {
  const t = performance.now();
  checkBatch(d.id, p, Date.now());
  return performance.now() - t;
});
console.log(`one batch of ${BATCH} records, ${payloads[0]!.length} bytes:`);
console.log(`  a new worker's start (its modules; the built gateway's schema comes as code): ${starts.map((t) => t.toFixed(0)).join(' ')} ms, median ${median(starts).toFixed(0)}`);
console.log(`  on the worker: first ${onWorker[0]!.toFixed(1)} ms, second ${onWorker[1]!.toFixed(1)} ms, median ${median(onWorker.slice(2)).toFixed(1)} ms`);
console.log(`  in place with zod: median ${median(inPlace).toFixed(1)} ms`);
const compiled = payloads.map((p) => {
  const t = performance.now();
  checkBatch(d.id, p, Date.now(), parseRecordBatch);
  return performance.now() - t;
});
console.log(`  in place with the worker's compiled schema: median ${median(compiled).toFixed(1)} ms; by step, ms: ${checkPartsText(checkParts(payloads, 5))}`);
process.exit(0);
