/**
 * Batch checks on worker threads (issue 14): a worker answers exactly what the check in place
 * answers, for good and bad batches alike; a large batch's bytes move to the worker, uncopied; a
 * worker that dies leaves no batch unanswered; small batches never leave the thread; a burst does
 * not wait for a worker that is still starting.
 */
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { type CheckResult, checkBatch } from '../../gateway/ingest/batch-check.js';
import { BatchCheckPool, CHECK_LOST } from '../../gateway/ingest/batch-check-pool.js';
import { parseRecordBatch } from '../../gateway/ingest/batch-schema.js';
import { batchPayload, type SimDevice } from '../../scripts/bench/sim-devices.js';

const device = (): SimDevice => ({ id: 'dev-pool', key: generateKeyPairSync('ed25519').privateKey, head: { seq: 0, hash: '0'.repeat(64) } });
const silent = pino({ level: 'silent' });
let pool: BatchCheckPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

/** The worker threads the pool has started (its own field: a test looks inside on purpose). */
const workers = (p: BatchCheckPool) => (p as unknown as { slots: Array<{ worker: { threadId: number; terminate(): Promise<number> } } | null> }).slots.filter((s) => s !== null);

describe('batch checks on worker threads', () => {
  it('answers what the check in place answers: stored rows, a tampered record, a batch that is not JSON', async () => {
    pool = new BatchCheckPool(silent, 2);
    await pool.warmUp();
    const d = device();
    const good = Buffer.from(batchPayload(d, 200));
    const parsed = JSON.parse(batchPayload(d, 200));
    parsed.records[7].level = 1; // content no longer matches its hash
    const tampered = Buffer.from(JSON.stringify(parsed));
    const junk = Buffer.alloc(40_000, 'x');
    const receivedAt = Date.now();
    // Answered in place first: the pool may hand a payload's bytes over (and leave it empty here).
    // With the parser the worker uses (batch-schema.ts); the main thread's own, zod, differs only in the order of a body's keys.
    const [inPlaceGood, inPlaceTampered] = [checkBatch('dev-pool', good, receivedAt, parseRecordBatch), checkBatch('dev-pool', tampered, receivedAt, parseRecordBatch)];
    const byZod = checkBatch('dev-pool', good, receivedAt);
    const asValues = (r: CheckResult) => (r.ok ? r.batch.records.map((x) => ({ ...x, body: JSON.parse(x.body) as unknown })) : r);
    expect(asValues(byZod)).toEqual(asValues(inPlaceGood));
    const [a, b, c] = (await Promise.all([good, tampered, junk].map((p) => pool!.check('dev-pool', p, receivedAt)))) as [CheckResult, CheckResult, CheckResult];
    expect(workers(pool).length).toBe(2); // all three were large enough to leave the thread
    expect(a).toEqual(inPlaceGood);
    expect(a.ok && a.batch.records).toHaveLength(200);
    expect(b).toEqual(inPlaceTampered);
    expect(b.ok && b.batch.rejected.map((r) => r.code)).toEqual(['hash-mismatch']);
    expect(c).toEqual({ ok: false, refused: 'payload is not JSON' });
  });

  it('checks a small batch (one press) in place, without starting a worker', async () => {
    pool = new BatchCheckPool(silent, 1);
    const one = Buffer.from(batchPayload(device(), 1));
    expect((await pool.check('dev-pool', one, 1)).ok).toBe(true);
    expect(workers(pool)).toHaveLength(0);
  });

  it("hands a large batch's own bytes to the worker instead of copying them, and copies any other", async () => {
    pool = new BatchCheckPool(silent, 1);
    await pool.warmUp();
    const d = device();
    const own = Buffer.from(batchPayload(d, 300)); // its memory is its own, as the MQTT parser's copy of a packet
    const size = own.length;
    const inBigger = Buffer.concat([Buffer.from(batchPayload(d, 300)), Buffer.from(' ')]);
    const view = inBigger.subarray(0, inBigger.length - 1); // a view of memory that holds more
    const [a, b] = await Promise.all([pool.check('dev-pool', own, 1), pool.check('dev-pool', view, 1)]);
    expect([a.ok && a.batch.records.length, b.ok && b.batch.records.length]).toEqual([300, 300]);
    expect([size > 64 * 1024, own.length, view.length]).toEqual([true, 0, inBigger.length - 1]);
  });

  it('a worker that dies with batches in hand: those it copied are checked in place, those it took are refused unacknowledged; a new worker takes the next', async () => {
    pool = new BatchCheckPool(silent, 1);
    await pool.warmUp();
    const d = device();
    const payloads = Array.from({ length: 6 }, (_, i) => {
      const p = Buffer.from(batchPayload(d, 300));
      return i % 2 === 0 ? p : Buffer.concat([p, Buffer.from(' ')]).subarray(0, p.length); // odd ones: copied
    });
    const answers = payloads.map((p) => pool!.check('dev-pool', p, 1));
    const first = workers(pool)[0]!;
    await first.worker.terminate();
    const results = await Promise.all(answers);
    expect(results.map((r) => (r.ok ? r.batch.records.length : r.refused))).toEqual([CHECK_LOST, 300, CHECK_LOST, 300, CHECK_LOST, 300]);
    const next = await pool.check('dev-pool', Buffer.from(batchPayload(d, 300)), 1);
    expect(next.ok && next.batch.records).toHaveLength(300);
    expect(workers(pool)[0]!.worker.threadId).not.toBe(first.worker.threadId);
  });

  it('checks a burst in place while its worker is still starting, and hands batches over once it is ready', async () => {
    pool = new BatchCheckPool(silent, 1);
    const d = device();
    const first = Buffer.from(batchPayload(d, 300));
    const expected = checkBatch('dev-pool', first, 1); // in place: zod, the main thread's parser
    const size = first.length;
    // A new worker loads its modules for about half a second; the batch is not held for it.
    expect(await pool.check('dev-pool', first, 1)).toEqual(expected);
    expect(first.length).toBe(size); // its bytes never left
    expect(workers(pool)).toHaveLength(1); // the worker was started by that batch
    await pool.warmUp();
    const next = Buffer.from(batchPayload(d, 300));
    expect((await pool.check('dev-pool', next, 1)).ok).toBe(true);
    expect(next.length).toBe(0); // handed to the worker
  });

  it('ends a worker idle for idleMs, without a word in the log, and starts a new one for the next burst', async () => {
    const lines: string[] = [];
    pool = new BatchCheckPool(pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }), 1, 300);
    await pool.warmUp();
    const d = device();
    expect((await pool.check('dev-pool', Buffer.from(batchPayload(d, 300)), 1)).ok).toBe(true);
    const first = workers(pool)[0]!.worker;
    const exited = new Promise<number>((r) => (first as unknown as Worker).once('exit', r));
    await exited; // ended by the pool itself, 300 ms after its last batch
    expect(workers(pool)).toHaveLength(0);
    const next = await pool.check('dev-pool', Buffer.from(batchPayload(d, 300)), 1);
    expect(next.ok && next.batch.records).toHaveLength(300);
    expect(workers(pool)[0]!.worker.threadId).not.toBe(first.threadId);
    expect(lines).toEqual([]);
  });
});
