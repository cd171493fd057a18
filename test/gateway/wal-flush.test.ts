/**
 * The gateway's SQLite store flushes each commit's WAL to disk off the event loop
 * (gateway/store/wal-sync.ts): a write resolves — and ingest acks its batch — only after a flush
 * that began after its commit; a flush that fails fails its write and every later one; and the real flush is
 * an fdatasync of the -wal file on a thread other than the main one (seen with strace).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { BatchAck } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type GatewayStore } from '../../gateway/store/database.js';
import { type Flusher, WalSync } from '../../gateway/store/wal-sync.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { allMigrations } from '../../gateway/migrations.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { addWindow, enrolFakeDevice, FakeDevice } from '../uplink/support/fixtures.js';
import { syncsUnderStrace } from '../support/strace-syncs.js';

/** A flusher whose flushes end when the test says (or at once while `passing` is set). */
function gatedFlusher() {
  const gates: Array<{ open: () => void; fail: (e: Error) => void }> = [];
  const control = { passing: false };
  const flusher: Flusher = {
    flush: () => (control.passing ? Promise.resolve() : new Promise<void>((open, fail) => gates.push({ open, fail }))),
    close: async () => undefined,
  };
  return { flusher, gates, control };
}

/** Resolves once a flush has begun (its gate is waiting). */
const flushBegun = async (gates: unknown[]) => {
  while (gates.length === 0) await new Promise((r) => setImmediate(r));
};

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
};

describe('WalSync', () => {
  it('makes a commit during a flush wait for the next flush, one for all who came meanwhile', async () => {
    const { flusher, gates } = gatedFlusher();
    const wal = new WalSync(flusher);
    const first = wal.committed();
    const [second, third] = [wal.committed(), wal.committed()];
    expect(gates).toHaveLength(1);
    gates[0]!.open();
    await first;
    expect(await settled(second)).toBe(false);
    expect(gates).toHaveLength(2);
    gates[1]!.open();
    await Promise.all([second, third]);
    expect(gates).toHaveLength(2);
  });

  it('fails the waiting commits and every later one once a flush fails, without flushing again, and tells its owner once', async () => {
    const { flusher, gates } = gatedFlusher();
    const told: Error[] = [];
    const wal = new WalSync(flusher, (err) => told.push(err));
    const first = wal.committed();
    const waiting = wal.committed();
    expect(told).toEqual([]);
    gates[0]!.fail(new Error('EIO: i/o error, fdatasync'));
    await expect(first).rejects.toThrow(/could not be flushed to disk.*EIO/);
    await expect(waiting).rejects.toThrow(/EIO/);
    await expect(wal.committed()).rejects.toThrow(/no later write is trusted/);
    expect(gates).toHaveLength(1);
    // The owner (the gateway, which then exits) hears of it once, with the flush's own error.
    expect(told.map((e) => e.message)).toEqual([expect.stringMatching(/could not be flushed to disk.*EIO/)]);
  });
});

describe('the SQLite store', () => {
  let store: GatewayStore | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  async function gatedStore() {
    const file = join(mkdtempSync(join(tmpdir(), 'hcp-wal-')), 'gateway.db');
    const { flusher, gates } = gatedFlusher();
    store = openSqliteStore({ file, flusher });
    const created = sql`CREATE TABLE notes (n INTEGER PRIMARY KEY, text TEXT NOT NULL)`.execute(store.db);
    await new Promise((r) => setImmediate(r));
    gates.shift()!.open();
    await created;
    return { store, gates, file };
  }

  it('resolves a write only once a flush begun after its commit has ended', async () => {
    const { store, gates, file } = await gatedStore();
    const write = store.write((trx) => sql`INSERT INTO notes (n, text) VALUES (1, 'one')`.execute(trx));
    await flushBegun(gates);
    // Committed (another connection reads it) but not yet promised: the flush has not ended.
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT text FROM notes WHERE n = 1').pluck().get()).toBe('one');
    other.close();
    expect(await settled(write)).toBe(false);
    gates.shift()!.open();
    await write;
  });

  it('flushes a transaction that wrote only through its own prepared statements (the hot paths)', async () => {
    const { store, gates } = await gatedStore();
    const raw = store.sqlite!;
    const write = store.write(async () => raw.prepare("INSERT INTO notes (n, text) VALUES (5, 'five')").run());
    await flushBegun(gates);
    expect(await settled(write)).toBe(false);
    gates.shift()!.open();
    await write;
  });

  it('flushes a write outside a transaction too, and nothing for a read', async () => {
    const { store, gates } = await gatedStore();
    const update = sql`INSERT INTO notes (n, text) VALUES (2, 'two')`.execute(store.db);
    await flushBegun(gates);
    expect(await settled(update)).toBe(false);
    gates.shift()!.open();
    await update;
    const read = await sql<{ text: string }>`SELECT text FROM notes WHERE n = 2`.execute(store.db);
    expect(read.rows[0]?.text).toBe('two');
    expect(gates).toHaveLength(0);
  });

  it('fails the write whose flush failed, and the writes after it', async () => {
    const { store, gates } = await gatedStore();
    const write = store.write((trx) => sql`INSERT INTO notes (n, text) VALUES (3, 'three')`.execute(trx));
    await flushBegun(gates);
    gates.shift()!.fail(new Error('EIO: i/o error, fdatasync'));
    await expect(write).rejects.toThrow(/could not be flushed to disk/);
    await expect(store.write((trx) => sql`INSERT INTO notes (n, text) VALUES (4, 'four')`.execute(trx))).rejects.toThrow(/no later write is trusted/);
  });

  it('acknowledges a batch to its device only once the commit that stored it is flushed', async () => {
    const { flusher, gates, control } = gatedFlusher();
    control.passing = true;
    const file = join(mkdtempSync(join(tmpdir(), 'hcp-wal-ingest-')), 'gateway.db');
    store = openSqliteStore({ file, flusher });
    await migrateStore(store, allMigrations(GATEWAY_FEATURES));
    const device = new FakeDevice('dev-flush', 'w-01');
    const pem = device.publicKeyPem;
    await addWindow(store, 'w-01', '01', '税务局');
    await enrolFakeDevice(store, device);
    const acks: BatchAck[] = [];
    const queue = new IngestQueue(store, { now: () => Date.now() }, pino({ level: 'silent' }), {
      ack: (_d, a) => acks.push(a),
      refused: (_d, why) => {
        throw new Error(`refused: ${why}`);
      },
      stored: () => undefined,
    });
    control.passing = false;
    const records = [device.rating(new Date(), 5), device.rating(new Date(), 2)];
    const decided = queue.submit('dev-flush', Buffer.from(JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-flush', keyFingerprint: keyFingerprint(pem), records })));
    await flushBegun(gates);
    // Committed (another connection reads both records; the store's own waits for the flush).
    const other = new Database(file, { readonly: true });
    expect(other.prepare("SELECT count(*) FROM records WHERE device_id = 'dev-flush'").pluck().get()).toBe(2);
    other.close();
    expect(acks, 'no ack while the commit is not yet on disk').toEqual([]);
    gates.shift()!.open();
    await decided;
    await queue.idle();
    expect(acks.map((a) => a.committedThroughSeq)).toEqual([2]);
  });

  it('refuses to open a database that cannot be in WAL mode, naming the mode', () => {
    expect(() => openSqliteStore({ file: ':memory:' })).toThrow(/needs WAL mode, and :memory: stays in "memory" mode/);
  });

  it('flushes the -wal file with fdatasync off the main thread, and the main thread never syncs a write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-wal-strace-'));
    const file = join(dir, 'gateway.db');
    const { stdout, stderr, markerAt, syncs } = syncsUnderStrace('wal-flush-child.ts', file, `${file}.marker`, dir);
    const mainPid = Number(stdout);
    expect(mainPid, stderr).toBeGreaterThan(0);
    expect(markerAt, 'the marker fsync is in the trace').toBeGreaterThanOrEqual(0);
    expect(syncs.filter((s) => s.tid === mainPid)).toEqual([]);
    const walFlushes = syncs.filter((s) => s.call === 'fdatasync' && s.path === `${file}-wal`);
    // 20 transactions and one write outside one, each awaited before the next: a flush each.
    expect(walFlushes.length).toBeGreaterThanOrEqual(21);
  });
});
