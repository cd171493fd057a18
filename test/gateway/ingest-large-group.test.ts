/**
 * One group commit of more devices than one statement holds (gateway/ingest/chain-heads.ts reads
 * and writes a group's chain heads 500 devices a statement): every device's batch is stored and
 * acknowledged, every head is written — past the first 500 too — and each chain goes on from it.
 * Runs on both stores (HCP_TEST_STORE=postgres: npm run test:pg).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { BatchAck } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import { afterAll, expect, it } from 'vitest';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { allMigrations } from '../../gateway/migrations.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { FakeDevice, openTestStore } from '../uplink/support/fixtures.js';

const DEVICES = 1100;
let store: GatewayStore | null = null;
afterAll(async () => {
  await store?.close();
});

it(`commits ${DEVICES} devices' batches in one group: all acked, every head written, every chain goes on`, { timeout: 120_000 }, async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-large-group-')), 'gateway.db'));
  await migrateStore(store, allMigrations(GATEWAY_FEATURES));
  const now = new Date().toISOString();
  await store.db.insertInto('windows').values({ window_id: 'w-01', number: '01', department: '税务局', created_at: now }).execute();
  const devices = Array.from({ length: DEVICES }, (_, i) => new FakeDevice(`dev-group-${String(i).padStart(4, '0')}`, 'w-01'));
  const pems = new Map(devices.map((d) => [d.deviceId, d.publicKeyPem]));
  for (let i = 0; i < DEVICES; i += 200) {
    const part = devices.slice(i, i + 200);
    await store.db
      .insertInto('devices')
      .values(part.map((d) => ({ device_id: d.deviceId, window_id: 'w-01', current_epoch: 1, created_at: now, enrolled_at: now })))
      .execute();
    await store.db
      .insertInto('device_epochs')
      .values(
        part.map((d) => ({ device_id: d.deviceId, epoch: 1, public_key_pem: pems.get(d.deviceId)!, key_fingerprint: keyFingerprint(pems.get(d.deviceId)!), enrolled_at: now })),
      )
      .execute();
  }
  const acks = new Map<string, BatchAck>();
  const groups: number[] = [];
  const queue = new IngestQueue(store, { now: () => Date.now() }, pino({ level: 'silent' }), {
    ack: (deviceId, ack) => acks.set(deviceId, ack),
    refused: (deviceId, why) => {
      throw new Error(`${deviceId} refused: ${why}`);
    },
    stored: (deviceIds) => groups.push(deviceIds.length),
  });
  const send = (d: FakeDevice, n: number) => {
    const records = Array.from({ length: n }, () => d.rating(new Date(), 4));
    const fingerprint = keyFingerprint(pems.get(d.deviceId)!);
    return { records, done: queue.submit(d.deviceId, Buffer.from(JSON.stringify({ batchId: uuidv7(), deviceId: d.deviceId, keyFingerprint: fingerprint, records }))) };
  };

  // Submitted in one turn of the event loop: the queue takes them all into one group.
  const first = devices.map((d) => send(d, 2));
  await Promise.all(first.map((s) => s.done));
  await queue.idle();
  expect(groups).toEqual([DEVICES]);
  expect([...acks.values()].filter((a) => a.committedThroughSeq === 2 && a.rejected.length === 0)).toHaveLength(DEVICES);
  const heads = await store.db.selectFrom('device_epochs').select(['device_id', 'head_seq', 'head_hash']).where('epoch', '=', 1).orderBy('device_id').execute();
  expect(heads).toEqual(devices.map((d, i) => ({ device_id: d.deviceId, head_seq: 2, head_hash: first[i]!.records[1]!.hash })));

  // Each chain goes on from the head written for it.
  acks.clear();
  await Promise.all(devices.map((d) => send(d, 1).done));
  await queue.idle();
  expect([...acks.values()].filter((a) => a.committedThroughSeq === 3 && a.rejected.length === 0)).toHaveLength(DEVICES);
  const stored = await store.db
    .selectFrom('records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  expect(Number(stored.n)).toBe(DEVICES * 3);
});
