/** A worker thread of batch-check-pool.ts: checks the batches it is sent, answers with the results. */
import { parentPort } from 'node:worker_threads';
import { type CheckResult, checkBatch, packResult } from './batch-check.js';
import { parseRecordBatch } from './batch-schema.js';

interface Request {
  id: number;
  deviceId: string;
  payload: Uint8Array;
  receivedAt: number;
}

parentPort!.on('message', (m: Request) => {
  // Structured cloning hands a Buffer over as a plain Uint8Array: view the same bytes as a Buffer.
  const payload = Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  let result: CheckResult;
  try {
    result = checkBatch(m.deviceId, payload, m.receivedAt, parseRecordBatch);
  } catch (err) {
    // Never the worker's death for one batch: it is refused (and the device told so).
    result = { ok: false, refused: `the batch could not be checked: ${(err as Error).message}` };
  }
  parentPort!.postMessage({ id: m.id, result: packResult(result) });
});
// Loaded (the schema with this module's imports: compiled as it loads, or as code in the built gateway): batches may come here now (batch-check-pool.ts checks them in place until then).
parentPort!.postMessage({ ready: true });
