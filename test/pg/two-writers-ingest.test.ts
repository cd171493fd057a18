/**
 * Ingest's exactly-once on PostgreSQL when two gateway processes take the same batches at once
 * (what several workers behind one broker will do after a reconnect): two stores on one database,
 * each with its own IngestQueue, given every batch of a device concurrently. SERIALIZABLE with
 * retry and the UNIQUE keys leave each record stored once, the chain head where it belongs, and
 * both queues acknowledging every record (the second one finds it stored: a resend).
 */
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BatchAck } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { allMigrations } from '../../gateway/migrations.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';
import { addWindow, enrolFakeDevice, FakeDevice } from '../uplink/support/fixtures.js';

const silent = pino({ level: 'silent' });
const clock = { now: () => Date.now() };
const stores: GatewayStore[] = [];

beforeAll(async () => {
  const url = await testDatabaseUrl(`two-writers-${process.pid}-${Date.now()}`);
  for (let i = 0; i < 2; i++) stores.push(await openPostgresStore({ connectionString: url, poolSize: 4 }));
  await migrateStore(stores[0]!, allMigrations(GATEWAY_FEATURES));
});
afterAll(async () => {
  for (const s of stores) await s.close();
});

it('stores every record once and both queues ack it, with the same batches given to both at once', async () => {
  const device = new FakeDevice('dev-twice', 'w-01');
  const db = stores[0]!.db;
  await addWindow(stores[0]!, 'w-01', '01', '税务局');
  // The device's key as enrolment would have stored it.
  await enrolFakeDevice(stores[0]!, device);
  const pem = device.publicKeyPem;

  const acks: BatchAck[][] = [[], []];
  const queues = stores.map(
    (s, i) =>
      new IngestQueue(s, clock, silent, {
        ack: (_d, a) => acks[i]!.push(a),
        refused: (_d, why) => {
          throw new Error(`refused: ${why}`);
        },
        stored: () => undefined,
      }),
  );
  const batches = Array.from({ length: 6 }, () => {
    const records = Array.from({ length: 50 }, () => device.rating(new Date(), 5));
    return Buffer.from(JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-twice', keyFingerprint: keyFingerprint(pem), records }));
  });
  // In order on each queue (as a device sends them), both queues at once.
  await Promise.all(queues.map(async (q) => Promise.all(batches.map((b) => q.submit('dev-twice', b)))));
  for (const q of queues) await q.idle();

  const stored = await db.selectFrom('records').select(['seq']).where('device_id', '=', 'dev-twice').orderBy('seq').execute();
  expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  const head = await db.selectFrom('device_epochs').select('head_seq').where('device_id', '=', 'dev-twice').executeTakeFirstOrThrow();
  expect(head.head_seq).toBe(300);
  expect(await db.selectFrom('chain_gaps').selectAll().execute()).toEqual([]);
  for (const a of acks) {
    expect(a).toHaveLength(6);
    expect(a.flatMap((x) => x.rejected)).toEqual([]);
    expect(Math.max(...a.map((x) => x.committedThroughSeq))).toBe(300);
  }
});
