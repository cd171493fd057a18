/**
 * The batch schema compiled into one function (batch-json-schema.ts). Here it is compiled when the
 * module loads, as in development and tests. The build puts Ajv's own code for the same function in
 * this module's place (scripts/batch-check-code.ts), so that the installed gateway's checking thread
 * neither loads Ajv's compiler nor compiles: a new thread took 243 ms to start with them and
 * 108–150 ms without (`npx tsx scripts/bench/check-cost.ts`), and a backlog's first batches wait
 * for it (batch-check-pool.ts).
 */
import type { ValidateFunction } from 'ajv';
import type { RecordBatch } from '@hcp/contract';
import { batchAjv, batchJsonSchema } from './batch-json-schema.js';

export const validate: ValidateFunction<RecordBatch> = batchAjv().compile<RecordBatch>(batchJsonSchema());
