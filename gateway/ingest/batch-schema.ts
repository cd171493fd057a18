/**
 * A device's batch checked against the contract's RecordBatchSchema, fast (issue 14: zod's parse was
 * the largest part of a 500-record batch's check after JSON.parse, on the checking thread, the busier
 * of ingest's two). The zod schema stays the one definition: zod itself writes it out as JSON
 * Schema, and Ajv compiles that into one plain function, which checks the same batch in about
 * a third of zod's time (npx tsx scripts/bench/batch-schema.ts); the build writes that function out
 * as code (compiled-batch-check.ts). A batch Ajv refuses is parsed
 * by zod after all, so the refusal names what is wrong in the contract's own words — and if zod
 * accepts it, zod's result is used: the compiled form may only ever be the stricter of the two.
 * test/gateway/batch-schema.test.ts holds both to the same verdicts and the same data over
 * more than 1,500 damaged copies of one batch.
 *
 * Only the checking thread (batch-check-worker.ts) loads this module: a press is checked in place
 * on the main thread with zod (one record), and Ajv, its compiled code and the compile's
 * garbage stay out of the memory of a gateway whose thousand devices are quiet (that thread ends
 * when ingest has been idle for 15 s).
 *
 * What the JSON Schema does not say by itself, and is set in batch-json-schema.ts so that both agree:
 *  - unknown keys are dropped, as zod's objects drop them (`removeAdditional`); safe with the
 *    records' union only because `discriminator` makes Ajv try just the branch `kind` names;
 *  - string lengths count characters (code points: an emoji is one), as zod 4's do and Ajv's by
 *    default (the test holds them to it at 500 and 501 emoji);
 *  - `format` is not checked: zod writes a `pattern` beside it for each, the one zod itself uses.
 * And one thing it cannot say: zod leaves a `.refine()` out of the JSON Schema, so the compiled form
 * would accept what such a check refuses. The batch's schemas have none, and the test fails if one
 * is added.
 */
import type { ValidateFunction } from 'ajv';
import type { RecordBatch } from '@hcp/contract';
import { type BatchParse, parseWithZod } from './batch-check.js';
import { validate } from './compiled-batch-check.js';

/** The compiled check alone (tests hold it to zod's verdicts): true, and unknown keys dropped from `raw`, for a batch. */
export const compiledBatchCheck: ValidateFunction<RecordBatch> = validate;

/** `raw` (JSON.parse's result, which this may change: unknown keys go) as a batch, or what is wrong with it. */
export function parseRecordBatch(raw: unknown): BatchParse {
  return compiledBatchCheck(raw) ? { ok: true, batch: raw } : parseWithZod(raw);
}
