/**
 * Ingest on a store that takes no writes at all: a real SQLite file opened read-only, every commit
 * refused with SQLITE_READONLY. Every batch goes unacknowledged (its device keeps it and sends it
 * again), the first failure is logged at once, and then one line every 10 s while it lasts, with how
 * many batches went unacknowledged since the line before: not one line per group and per batch, as
 * when a failure may be a batch's own (ingest-queue.ts, afterGroupFailed). PostgreSQL's read-only
 * database, with /health, is test/pg/store-health.test.ts (this file runs once, on SQLite:
 * test/pg/vitest.config.ts, PG_NOT_SWITCHED).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFingerprint } from '@hcp/contract/chain';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, expect, it, vi } from 'vitest';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { allMigrations } from '../../gateway/migrations.js';
import { openSqliteStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { addWindow, enrolFakeDevice, FakeDevice } from '../uplink/support/fixtures.js';

afterEach(() => {
  vi.useRealTimers();
});

it('leaves every batch unacknowledged, logging the first failure at once and then one line per 10 s with the count', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'hcp-store-wide-')), 'gateway.db');
  const setup = openSqliteStore({ file });
  await migrateStore(setup, allMigrations(GATEWAY_FEATURES));
  await addWindow(setup, 'w-01', '01');
  const devices = ['dev-ro-1', 'dev-ro-2'].map((id) => new FakeDevice(id, 'w-01'));
  for (const d of devices) await enrolFakeDevice(setup, d);
  await setup.close();

  const store = openSqliteStore({ file, readonly: true });
  const lines: Array<{ msg: string; why?: string; failed?: number; err?: { code?: string } }> = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const acks: string[] = [];
  const refusals: string[] = [];
  const queue = new IngestQueue(store, { now: () => Date.now() }, logger, {
    ack: (d) => acks.push(d),
    refused: (_d, why) => refusals.push(why),
    stored: () => undefined,
  });
  const submitEach = () =>
    Promise.all(
      devices.map((d) => {
        const records = [d.rating(new Date(), 5), d.rating(new Date(), 2)];
        const payload = { batchId: uuidv7(), deviceId: d.deviceId, keyFingerprint: keyFingerprint(d.publicKeyPem), records };
        return queue.submit(d.deviceId, Buffer.from(JSON.stringify(payload)));
      }),
    );
  vi.useFakeTimers({ toFake: ['performance'] });
  try {
    await submitEach();
    await submitEach();
    vi.advanceTimersByTime(9_000);
    await submitEach();
    const storeWide = () => lines.filter((l) => l.msg.startsWith('the store took no writes:'));
    expect(storeWide().map((l) => [l.why, l.failed, l.err?.code])).toEqual([['the database file takes no writes', expect.any(Number), 'SQLITE_READONLY']]);
    vi.advanceTimersByTime(1_000);
    await submitEach();
    // 8 batches in all: the line at 10 s counts those since the first line, its own group's included.
    const [first, second] = storeWide();
    expect(storeWide()).toHaveLength(2);
    expect(first!.failed! + second!.failed!).toBe(8);
    expect(lines.filter((l) => l.msg.includes('batch by batch') || l.msg.includes('batch not committed'))).toEqual([]);
    expect([acks, refusals]).toEqual([[], []]);
  } finally {
    await queue.idle();
    await store.close();
  }
});
