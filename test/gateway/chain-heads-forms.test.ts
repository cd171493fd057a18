/**
 * The chain heads' two forms (gateway/ingest/chain-heads.ts): the Kysely queries PostgreSQL runs
 * and the statements SQLite prepares once must read and write the same thing. Both run here on one
 * SQLite store, over devices in every state a head can be in: enrolled with no record yet, moved,
 * re-enrolled (the current epoch's head, not the old one's), retired, registered without an epoch,
 * unknown. And ingest's group commit on SQLite runs the prepared form (docs/DESIGN.md, step 4),
 * not a query built per group.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { BatchAck } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import { afterAll, expect, it } from 'vitest';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { GENESIS, headStatements, loadHeads, saveHeads, type MovedHead } from '../../gateway/ingest/chain-heads.js';
import { allMigrations } from '../../gateway/migrations.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { FakeDevice, openTestStore, silent } from '../uplink/support/fixtures.js';

let store: GatewayStore | null = null;
let ingestStore: GatewayStore | null = null;
afterAll(async () => {
  await store?.close();
  await ingestStore?.close();
});

const IDS = ['dev-new', 'dev-moved', 'dev-again', 'dev-retired', 'dev-no-epoch', 'dev-unknown'];

async function seed(s: GatewayStore): Promise<void> {
  const now = new Date().toISOString();
  await s.db.insertInto('windows').values({ window_id: 'w-01', number: '01', department: '税务局', created_at: now }).execute();
  const device = (device_id: string, current_epoch: number, retired = 0) =>
    s.db.insertInto('devices').values({ device_id, window_id: 'w-01', current_epoch, retired, created_at: now, enrolled_at: now }).execute();
  const epoch = (device_id: string, n: number, head_seq = 0, head_hash: string | null = null) =>
    s.db
      .insertInto('device_epochs')
      .values({ device_id, epoch: n, public_key_pem: `pem-${device_id}-${n}`, key_fingerprint: `fp-${device_id}-${n}`, enrolled_at: now, head_seq, head_hash })
      .execute();
  await device('dev-new', 1);
  await epoch('dev-new', 1);
  await device('dev-moved', 1);
  await epoch('dev-moved', 1, 7, 'a'.repeat(64));
  await device('dev-again', 2);
  await epoch('dev-again', 1, 40, 'b'.repeat(64));
  await epoch('dev-again', 2, 3, 'c'.repeat(64));
  await device('dev-retired', 1, 1);
  await epoch('dev-retired', 1, 12, 'd'.repeat(64));
  await device('dev-no-epoch', 1);
}

const epochRows = (s: GatewayStore) => s.db.selectFrom('device_epochs').select(['device_id', 'epoch', 'head_seq', 'head_hash']).orderBy('device_id').orderBy('epoch').execute();

// SQLite only: PostgreSQL has no prepared form here (its store has no raw connection).
it.skipIf(process.env.HCP_TEST_STORE === 'postgres')("reads and writes the same heads in SQLite's prepared form as in the Kysely form", async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-chain-heads-')), 'gateway.db'));
  await migrateStore(store, allMigrations(GATEWAY_FEATURES));
  await seed(store);
  const fast = headStatements(store.sqlite!);

  const [byQuery, byStatement] = await store.write(async (trx) => [await loadHeads(trx, IDS), await loadHeads(trx, IDS, fast)]);
  expect(byStatement).toEqual(byQuery);
  expect([...byQuery.keys()].sort()).toEqual(['dev-again', 'dev-moved', 'dev-new', 'dev-retired']);
  expect(byQuery.get('dev-new')).toMatchObject({ epoch: 1, seq: 0, hash: GENESIS, retired: false, windowId: 'w-01' });
  expect(byQuery.get('dev-again')).toMatchObject({ epoch: 2, seq: 3, hash: 'c'.repeat(64), pem: 'pem-dev-again-2', fingerprint: 'fp-dev-again-2' });
  expect(byQuery.get('dev-retired')?.retired).toBe(true);

  // The same moves written each way, from the same start, leave the same rows.
  const moves = (n: number): MovedHead[] => [
    { deviceId: 'dev-new', epoch: 1, seq: n, hash: 'e'.repeat(64) },
    { deviceId: 'dev-again', epoch: 2, seq: n + 10, hash: 'f'.repeat(64) },
  ];
  const before = await epochRows(store);
  await store.write((trx) => saveHeads(trx, moves(5)));
  const afterQuery = await epochRows(store);
  await store.write(async (trx) => {
    for (const r of before)
      await trx.updateTable('device_epochs').set({ head_seq: r.head_seq, head_hash: r.head_hash }).where('device_id', '=', r.device_id).where('epoch', '=', r.epoch).execute();
  });
  expect(await epochRows(store)).toEqual(before);
  await store.write((trx) => saveHeads(trx, moves(5), fast));
  const afterStatement = await epochRows(store);
  expect(afterStatement).toEqual(afterQuery);
  expect(afterStatement).not.toEqual(before);
  // Only the named epoch moves: dev-again's first epoch keeps its head.
  expect(afterStatement.find((r) => r.device_id === 'dev-again' && r.epoch === 1)).toMatchObject({ head_seq: 40, head_hash: 'b'.repeat(64) });
  expect(afterStatement.find((r) => r.device_id === 'dev-again' && r.epoch === 2)).toMatchObject({ head_seq: 15, head_hash: 'f'.repeat(64) });
});

it.skipIf(process.env.HCP_TEST_STORE === 'postgres')("ingest's group commit on SQLite reads and moves the head with the prepared statements", async () => {
  const s = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-chain-heads-')), 'gateway.db'));
  ingestStore = s;
  await migrateStore(s, allMigrations(GATEWAY_FEATURES));
  const now = new Date().toISOString();
  await s.db.insertInto('windows').values({ window_id: 'w-01', number: '01', department: '税务局', created_at: now }).execute();
  const d = new FakeDevice('dev-prepared', 'w-01');
  const pem = createPublicKey((d as unknown as { key: KeyObject }).key)
    .export({ type: 'spki', format: 'pem' })
    .toString();
  await s.db.insertInto('devices').values({ device_id: d.deviceId, window_id: 'w-01', current_epoch: 1, created_at: now, enrolled_at: now }).execute();
  await s.db
    .insertInto('device_epochs')
    .values({ device_id: d.deviceId, epoch: 1, public_key_pem: pem, key_fingerprint: keyFingerprint(pem), enrolled_at: now })
    .execute();

  // Every statement prepared on the connection from here on, and each run of the heads' two.
  const raw = s.sqlite!;
  const prepare = raw.prepare.bind(raw);
  const prepared: string[] = [];
  const runs = { head: 0, save: 0 };
  raw.prepare = ((text: string) => {
    prepared.push(text);
    const stmt = prepare(text);
    const which = text.includes('FROM devices d JOIN device_epochs') ? 'head' : text.startsWith('UPDATE device_epochs SET head_seq = ?') ? 'save' : null;
    if (which === 'head') {
      const get = stmt.get.bind(stmt);
      stmt.get = ((...a: [string]) => {
        runs.head++;
        return get(...a);
      }) as typeof stmt.get;
    }
    if (which === 'save') {
      const run = stmt.run.bind(stmt);
      stmt.run = ((...a: [number, string, string, number]) => {
        runs.save++;
        return run(...a);
      }) as typeof stmt.run;
    }
    return stmt;
  }) as typeof raw.prepare;

  const acks: BatchAck[] = [];
  const queue = new IngestQueue(s, { now: () => Date.now() }, silent, {
    ack: (_id, ack) => acks.push(ack),
    refused: (id, why) => {
      throw new Error(`${id} refused: ${why}`);
    },
    stored: () => undefined,
  });
  const records = [d.rating(new Date(), 5), d.rating(new Date(), 4)];
  await queue.submit(d.deviceId, Buffer.from(JSON.stringify({ batchId: uuidv7(), deviceId: d.deviceId, keyFingerprint: keyFingerprint(pem), records })));
  await queue.idle();
  const preparedByCommit = [...prepared];

  expect(acks).toMatchObject([{ committedThroughSeq: 2, rejected: [] }]);
  expect(runs).toEqual({ head: 1, save: 1 });
  expect(await s.db.selectFrom('device_epochs').select(['head_seq', 'head_hash']).executeTakeFirstOrThrow()).toEqual({ head_seq: 2, head_hash: records[1]!.hash });
  // No query of the heads was built and prepared for the group (Kysely quotes its identifiers).
  expect(preparedByCommit.filter((t) => t.includes('"device_epochs"'))).toEqual([]);
});
