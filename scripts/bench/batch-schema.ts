/**
 * The batch schema's check of a 500-record batch: the compiled form the gateway uses
 * (gateway/ingest/batch-schema.ts) next to the contract's zod schema it is made from, on the same
 * parsed batches, interleaved over rounds (rounds.ts).
 * Usage: npx tsx scripts/bench/batch-schema.ts   (under a minute)
 */
import { RecordBatchSchema } from '@hcp/contract';
import { compiledBatchCheck } from '../../gateway/ingest/batch-schema.js';
import { interleave, median, ratios, ratioText } from './rounds.js';
import { BATCH, batchPayload, rawDevice } from './sim-devices.js';

const BATCHES = 40;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const device = rawDevice('dev-schema');
const payloads = Array.from({ length: BATCHES }, () => batchPayload(device, BATCH));

/** ms per batch over all the batches, each parsed from its JSON first (not timed). */
async function msPerBatch(check: (raw: unknown) => boolean): Promise<number> {
  const parsed = payloads.map((p) => JSON.parse(p) as unknown);
  const t0 = performance.now();
  for (const raw of parsed) if (!check(raw)) throw new Error('a valid batch was refused');
  return (performance.now() - t0) / BATCHES;
}

// Both once before timing: V8 compiles the hot code of each.
await msPerBatch((raw) => RecordBatchSchema.safeParse(raw).success);
await msPerBatch(compiledBatchCheck);
const r = await interleave(
  ROUNDS,
  () => msPerBatch(compiledBatchCheck),
  () => msPerBatch((raw) => RecordBatchSchema.safeParse(raw).success),
);
console.log(`the batch schema's check of a ${BATCH}-record batch, ${BATCHES} batches a round, ${ROUNDS} rounds interleaved (medians):`);
console.log(
  `  compiled (Ajv, from zod's JSON Schema): ${median(r.figure).toFixed(2)} ms | zod safeParse: ${median(r.baseline).toFixed(2)} ms | time ratio ${ratioText(ratios(r))}`,
);
