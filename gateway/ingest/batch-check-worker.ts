/** A worker thread of batch-check-pool.ts: checks the batches it is sent, answers with the results. */
import { parentPort } from 'node:worker_threads';
import { checkBatch } from './batch-check.js';

interface Request {
  id: number;
  deviceId: string;
  payload: Uint8Array;
  receivedAt: number;
}

parentPort!.on('message', (m: Request) => {
  // Structured cloning hands a Buffer over as a plain Uint8Array: view the same bytes as a Buffer.
  const payload = Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  parentPort!.postMessage({ id: m.id, result: checkBatch(m.deviceId, payload, m.receivedAt) });
});
