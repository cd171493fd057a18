/**
 * The chain heads' two forms (gateway/ingest/chain-heads.ts): the Kysely queries PostgreSQL runs
 * and the statements SQLite prepares once must read and write the same thing. Both run here on one
 * SQLite store, over devices in every state a head can be in: enrolled with no record yet, moved,
 * re-enrolled (the current epoch's head, not the old one's), retired, registered without an epoch,
 * unknown.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { GENESIS, headStatements, loadHeads, saveHeads, type MovedHead } from '../../gateway/ingest/chain-heads.js';
import { allMigrations } from '../../gateway/migrations.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openTestStore } from '../uplink/support/fixtures.js';

let store: GatewayStore | null = null;
afterAll(async () => {
  await store?.close();
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
