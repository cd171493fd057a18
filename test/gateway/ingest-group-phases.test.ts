/**
 * Where an ingest group's time goes (gateway/ingest/group-phases.ts, on `/metrics` as
 * hcp_ingest_group_seconds_total): each phase is charged the time it took, the phases add up to the
 * group's time, and a group is counted once. A checking thread slowed by 150 ms shows in `check`, an
 * ack hook that takes 50 ms in `ack`. Runs on both stores (HCP_TEST_STORE=postgres: npm run test:pg).
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
import { type BatchChecker, inlineChecker } from '../../gateway/ingest/batch-check-pool.js';
import { GROUP_PHASES } from '../../gateway/ingest/group-phases.js';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { allMigrations } from '../../gateway/migrations.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { enrolFakeDevice, FakeDevice, openTestStore } from '../uplink/support/fixtures.js';

let store: GatewayStore | null = null;
afterAll(async () => {
  await store?.close();
});

const CHECK_DELAY_MS = 150;
const ACK_MS = 50;

it('charges each phase of a group the time it took, and counts the group once', { timeout: 60_000 }, async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-group-phases-')), 'gateway.db'));
  await migrateStore(store, allMigrations(GATEWAY_FEATURES));
  const now = new Date().toISOString();
  await store.db.insertInto('windows').values({ window_id: 'w-01', number: '01', department: '税务局', created_at: now }).execute();
  const device = new FakeDevice('dev-phases', 'w-01');
  await enrolFakeDevice(store, device, now);

  // The checks as the gateway makes them, only later: a checking thread that is busy elsewhere.
  const slowChecker: BatchChecker = {
    check: async (...args) => {
      await new Promise((r) => setTimeout(r, CHECK_DELAY_MS));
      return inlineChecker.check(...args);
    },
    close: async () => undefined,
  };
  const acks: BatchAck[] = [];
  const queue = new IngestQueue(
    store,
    { now: () => Date.now() },
    pino({ level: 'silent' }),
    {
      ack: (_deviceId, ack) => {
        acks.push(ack);
        // A broker slow to take the ack.
        const until = performance.now() + ACK_MS;
        while (performance.now() < until);
      },
      refused: (deviceId, why) => {
        throw new Error(`${deviceId} refused: ${why}`);
      },
      stored: () => undefined,
    },
    slowChecker,
  );
  const records = Array.from({ length: 3 }, () => device.rating(new Date(), 4));
  const payload = Buffer.from(JSON.stringify({ batchId: uuidv7(), deviceId: device.deviceId, keyFingerprint: keyFingerprint(device.publicKeyPem), records }));

  const t0 = performance.now();
  await queue.submit(device.deviceId, payload);
  await queue.idle();
  const wall = (performance.now() - t0) / 1000;

  expect(acks).toHaveLength(1);
  expect(acks[0]!.committedThroughSeq).toBe(3);
  const { seconds, groups } = queue.phases;
  expect(groups).toBe(1);
  expect(Object.keys(seconds).sort()).toEqual([...GROUP_PHASES].sort());
  for (const phase of GROUP_PHASES) expect(seconds[phase], phase).toBeGreaterThanOrEqual(0);
  expect(seconds.check).toBeGreaterThanOrEqual((CHECK_DELAY_MS - 5) / 1000);
  expect(seconds.ack).toBeGreaterThanOrEqual(ACK_MS / 1000);
  // What is left between them is the store's: small beside the delays, and every part counted once.
  const total = GROUP_PHASES.reduce((s, p) => s + seconds[p], 0);
  expect(total).toBeLessThanOrEqual(wall);
  expect(total).toBeGreaterThanOrEqual((CHECK_DELAY_MS + ACK_MS) / 1000);
  expect(seconds.commit + seconds.insert + seconds.begin).toBeLessThan(seconds.check);
});
