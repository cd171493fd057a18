/**
 * The chain heads' two forms (gateway/ingest/chain-heads.ts): the texts PostgreSQL runs and the
 * statements SQLite prepares once must read and write the same thing. The first test runs on each
 * store (test:pg runs it on PostgreSQL), over devices in every state a head can be in: enrolled with no record yet, moved,
 * re-enrolled (the current epoch's head, not the old one's), retired, registered without an epoch,
 * unknown. And ingest's group commit on SQLite runs the prepared form (docs/DESIGN.md, step 4),
 * not a query built per group.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { BatchAck } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import { afterAll, expect, it } from 'vitest';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { GENESIS, headStatements, loadHeads, saveHeads } from '../../gateway/ingest/chain-heads.js';
import { allMigrations } from '../../gateway/migrations.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { enrolFakeDevice, FakeDevice, openTestStore, silent } from '../uplink/support/fixtures.js';

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

// Runs on each store (test:pg runs it on PostgreSQL): both forms must read and write what is expected here.
it("reads and writes the heads in the store's own form: SQLite's prepared statements, PostgreSQL's texts made once", async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-chain-heads-')), 'gateway.db'));
  await migrateStore(store, allMigrations(GATEWAY_FEATURES));
  await seed(store);
  const fast = store.sqlite ? headStatements(store.sqlite) : null;
  const kept: string[] = [];
  const keepPrepared = store.keepPrepared
    ? (text: string) => {
        kept.push(text);
        store!.keepPrepared!(text);
      }
    : undefined;

  const heads = await store.write((trx) => loadHeads(trx, IDS, fast, keepPrepared));
  expect([...heads.keys()].sort()).toEqual(['dev-again', 'dev-moved', 'dev-new', 'dev-retired']);
  expect(heads.get('dev-new')).toEqual({ epoch: 1, seq: 0, hash: GENESIS, pem: 'pem-dev-new-1', fingerprint: 'fp-dev-new-1', retired: false, windowId: 'w-01' });
  expect(heads.get('dev-moved')).toMatchObject({ epoch: 1, seq: 7, hash: 'a'.repeat(64) });
  expect(heads.get('dev-again')).toEqual({ epoch: 2, seq: 3, hash: 'c'.repeat(64), pem: 'pem-dev-again-2', fingerprint: 'fp-dev-again-2', retired: false, windowId: 'w-01' });
  expect(heads.get('dev-retired')?.retired).toBe(true);

  const before = await epochRows(store);
  await store.write((trx) =>
    saveHeads(
      trx,
      [
        { deviceId: 'dev-new', epoch: 1, seq: 5, hash: 'e'.repeat(64) },
        { deviceId: 'dev-again', epoch: 2, seq: 15, hash: 'f'.repeat(64) },
      ],
      fast,
      keepPrepared,
    ),
  );
  const after = await epochRows(store);
  // Only the named epochs move: dev-again's first epoch keeps its head, and the other devices theirs.
  expect(after).toEqual(
    before.map((r) =>
      r.device_id === 'dev-new'
        ? { ...r, head_seq: 5, head_hash: 'e'.repeat(64) }
        : r.device_id === 'dev-again' && r.epoch === 2
          ? { ...r, head_seq: 15, head_hash: 'f'.repeat(64) }
          : r,
    ),
  );
  // The moved heads read back as they were written.
  const again = await store.write((trx) => loadHeads(trx, ['dev-new', 'dev-again'], fast, keepPrepared));
  expect(again.get('dev-new')).toMatchObject({ seq: 5, hash: 'e'.repeat(64) });
  expect(again.get('dev-again')).toMatchObject({ epoch: 2, seq: 15, hash: 'f'.repeat(64) });

  if (store.dialect === 'postgres') {
    // Each count of devices has its text, kept prepared up to 32 devices; a larger group's is made
    // at its run and not kept (else every count up to 500 would be a text held for good).
    expect(new Set(kept).size).toBe(3);
    const now = new Date().toISOString();
    const many = Array.from({ length: 40 }, (_, i) => `dev-many-${i}`);
    await store.db
      .insertInto('devices')
      .values(many.map((device_id) => ({ device_id, window_id: 'w-01', current_epoch: 1, retired: 0, created_at: now, enrolled_at: now })))
      .execute();
    await store.db
      .insertInto('device_epochs')
      .values(many.map((device_id, i) => ({ device_id, epoch: 1, public_key_pem: 'pem', key_fingerprint: 'fp', enrolled_at: now, head_seq: i, head_hash: null })))
      .execute();
    const keptBefore = kept.length;
    const manyHeads = await store.write((trx) => loadHeads(trx, [...many, 'dev-unknown'], fast, keepPrepared));
    expect(manyHeads.size).toBe(40);
    expect(manyHeads.get('dev-many-39')).toMatchObject({ epoch: 1, seq: 39, hash: GENESIS });
    await store.write((trx) =>
      saveHeads(
        trx,
        many.map((deviceId, i) => ({ deviceId, epoch: 1, seq: i + 100, hash: 'a'.repeat(64) })),
        fast,
        keepPrepared,
      ),
    );
    const moved = await store.write((trx) => loadHeads(trx, many, fast, keepPrepared));
    expect([...moved.values()].map((h) => h.seq)).toEqual(many.map((_, i) => i + 100));
    expect(kept.length).toBe(keptBefore);
  } else {
    expect(kept).toEqual([]);
  }
});

it.skipIf(process.env.HCP_TEST_STORE === 'postgres')("ingest's group commit on SQLite reads and moves the head with the prepared statements", async () => {
  const s = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-chain-heads-')), 'gateway.db'));
  ingestStore = s;
  await migrateStore(s, allMigrations(GATEWAY_FEATURES));
  const now = new Date().toISOString();
  await s.db.insertInto('windows').values({ window_id: 'w-01', number: '01', department: '税务局', created_at: now }).execute();
  const d = new FakeDevice('dev-prepared', 'w-01');
  await enrolFakeDevice(s, d, now);

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
  await queue.submit(d.deviceId, Buffer.from(JSON.stringify({ batchId: uuidv7(), deviceId: d.deviceId, keyFingerprint: keyFingerprint(d.publicKeyPem), records })));
  await queue.idle();
  const preparedByCommit = [...prepared];

  expect(acks).toMatchObject([{ committedThroughSeq: 2, rejected: [] }]);
  expect(runs).toEqual({ head: 1, save: 1 });
  expect(await s.db.selectFrom('device_epochs').select(['head_seq', 'head_hash']).executeTakeFirstOrThrow()).toEqual({ head_seq: 2, head_hash: records[1]!.hash });
  // No query of the heads was built and prepared for the group (Kysely quotes its identifiers).
  expect(preparedByCommit.filter((t) => t.includes('"device_epochs"'))).toEqual([]);
});
