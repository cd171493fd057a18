/**
 * Ingest checks waiting batches ahead of their group, but only so far: beyond the group being
 * decided and two groups' worth ahead of it, a burst waits as the bytes that came, not parsed
 * (several times larger); every batch is still decided, its check started in arrival order.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import type { CheckResult } from '../../gateway/ingest/batch-check.js';
import type { BatchChecker } from '../../gateway/ingest/batch-check-pool.js';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { CORE_PART_MIGRATIONS } from '../../gateway/migrations.js';
import { openSqliteStore, type GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';

let store: GatewayStore | null = null;
afterEach(async () => store?.close());

it('checks at most two groups (8 MiB) of a burst ahead, and decides every batch', async () => {
  store = openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'hcp-ingest-')), 'gateway.db') });
  await migrateStore(store, CORE_PART_MIGRATIONS);
  // A checker the test answers by hand: what has been started is what waits parsed.
  const started: Array<{ deviceId: string; answer: (r: CheckResult) => void }> = [];
  const checker: BatchChecker = {
    check: (deviceId) => new Promise((answer) => started.push({ deviceId, answer })),
    close: async () => undefined,
  };
  const refused: string[] = [];
  const queue = new IngestQueue(store, { now: () => Date.now() }, pino({ level: 'silent' }), { ack: () => {}, refused: (d) => refused.push(d), stored: () => {} }, checker);
  const MiB = Buffer.alloc(1024 * 1024, 'x');
  const decided = Array.from({ length: 30 }, (_, i) => queue.submit(`dev-${String(i).padStart(2, '0')}`, MiB));
  expect(started).toHaveLength(8);
  // Answer checks as they are asked for, until every batch is decided.
  let answered = 0;
  const answerAll = async () => {
    while (answered < 30) {
      if (answered < started.length) started[answered++]!.answer({ ok: false, refused: 'not a batch' });
      else await new Promise((r) => setTimeout(r, 1));
      // The group being decided (4 MiB) and two groups ahead of it.
      expect(started.length - answered).toBeLessThanOrEqual(12);
    }
  };
  await Promise.all([answerAll(), ...decided]);
  expect(started.map((s) => s.deviceId)).toEqual(Array.from({ length: 30 }, (_, i) => `dev-${String(i).padStart(2, '0')}`));
  expect(refused).toHaveLength(30);
});
