/**
 * The gateway's SQLite store checkpoints its WAL on a thread of its own (gateway/store/
 * wal-checkpointer.ts), never in a commit on the event loop: seen with strace on the store the
 * gateway opens; the WAL stays bounded while commits never stop; a thread that fails hands the
 * checkpoints back to the store's connection; an idle thread ends; a closed store leaves no WAL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../gateway/store/database.js';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { openConfiguredStore, SQLITE_FILE } from '../../gateway/store/open-store.js';
import { emptyWal, WalCheckpointer } from '../../gateway/store/wal-checkpointer.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { syncsUnderStrace } from '../support/strace-syncs.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A WAL database with a table of notes; no sync on commit (these tests are about checkpoints, not flushes). */
function database(): { file: string; db: Database.Database } {
  const file = join(mkdtempSync(join(tmpdir(), 'hcp-ckpt-')), 'gateway.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec('CREATE TABLE notes (n INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  open.push(db);
  return { file, db };
}

const yieldOnce = () => new Promise((r) => setImmediate(r));
const walBytes = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

describe('WalCheckpointer', () => {
  it('checkpoints on its thread while commits come, and its thread ends when they stop', async () => {
    const { file, db } = database();
    const failures: Error[] = [];
    const ckpt = new WalCheckpointer({ file, connection: db, onFailed: (e) => failures.push(e), everyMs: 20, idleMs: 1000 });
    open.push(ckpt);
    expect(db.pragma('wal_autocheckpoint', { simple: true }), "the store's connection never checkpoints").toBe(0);
    const before = statSync(file).size;
    const insert = db.prepare('INSERT INTO notes (n, text) VALUES (?, ?)');
    for (let n = 1; n <= 300; n++) {
      insert.run(n, 'x'.repeat(16_000));
      ckpt.committed();
      await yieldOnce();
    }
    // Every frame copied into the database file, by the thread.
    await waitFor(() => ckpt.stats.last && ckpt.stats.last.checkpointed === ckpt.stats.last.log && statSync(file).size > before + 300 * 16_000, {
      what: 'the thread copies the WAL into the database',
      progress: () => ckpt.stats.runs,
    });
    expect(ckpt.stats.threads).toBe(1);
    await waitFor(() => !ckpt.threadRunning, { what: 'the idle thread ends' });
    insert.run(301, 'one more');
    ckpt.committed();
    expect(ckpt.threadRunning, 'the next commit starts a thread again').toBe(true);
    expect(ckpt.stats.threads).toBe(2);
    expect(failures).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 301 });
  });

  it('by default checkpoints at most twice a second while commits never stop (OPERATIONS.md)', async () => {
    const { file, db } = database();
    const ckpt = new WalCheckpointer({ file, connection: db, onFailed: () => undefined });
    open.push(ckpt);
    const insert = db.prepare('INSERT INTO notes (n, text) VALUES (?, ?)');
    const t0 = performance.now();
    for (let n = 1; performance.now() - t0 < 2_200; n++) {
      insert.run(n, 'x'.repeat(4_000));
      ckpt.committed();
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => ckpt.stats.runs >= 1, { what: 'a checkpoint by the thread' });
    // 2.2 s of commits: a checkpoint at most every 500 ms is at most 5 (4 plus one the last commit set off).
    expect(ckpt.stats.runs).toBeLessThanOrEqual(5);
  });

  it('keeps the WAL bounded while commits never stop: the connection copies the rest once it is long', async () => {
    const frame = 4096 + 24;
    /** The WAL file's longest length while 30 MiB of rows are committed, a commit every turn of the event loop. */
    const steadyCommits = async (restartAfterFrames: number) => {
      const { file, db } = database();
      const ckpt = new WalCheckpointer({ file, connection: db, onFailed: () => undefined, everyMs: 5, restartAfterFrames });
      open.push(ckpt);
      const insert = db.prepare('INSERT INTO notes (n, text) VALUES (?, ?)');
      insert.run(0, 'first');
      ckpt.committed();
      await waitFor(() => ckpt.stats.runs > 0, { what: 'the thread checkpoints' });
      let longest = 0;
      for (let n = 1; n <= 6_000; n++) {
        insert.run(n, 'x'.repeat(5_000));
        ckpt.committed();
        if (n % 100 === 0) longest = Math.max(longest, walBytes(file));
        await yieldOnce();
      }
      expect(db.pragma('wal_autocheckpoint', { simple: true }), 'the connection leaves checkpoints to the thread').toBe(0);
      expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 6_001 });
      return { longest, ...ckpt.stats };
    };
    const bounded = await steadyCommits(2_000);
    // The premise: the thread's checkpoints alone, overlapping commits, never let the WAL start over.
    const unbounded = await steadyCommits(Number.POSITIVE_INFINITY);
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    console.log(
      `WAL under steady commits: longest ${mib(bounded.longest)} (${bounded.runs} checkpoints on the thread, the rest copied by the connection ${bounded.restarts} times); without that ${mib(unbounded.longest)}`,
    );
    expect(bounded.restarts).toBeGreaterThan(0);
    expect(bounded.longest, 'near its bound: 2,000 frames, and what comes until the next report').toBeLessThan(4 * 2_000 * frame);
    expect(unbounded.longest).toBeGreaterThan(4 * 2_000 * frame);
  });

  it('hands the checkpoints back to the connection when its thread fails, and says so once', async () => {
    const { file, db } = database();
    const failures: Error[] = [];
    // The thread cannot open this file: its first answer is a failure.
    const ckpt = new WalCheckpointer({ file: join(tmpdir(), 'hcp-no-such-dir', 'gateway.db'), connection: db, onFailed: (e) => failures.push(e), everyMs: 5 });
    open.push(ckpt);
    const insert = db.prepare('INSERT INTO notes (n, text) VALUES (?, ?)');
    ckpt.committed();
    await waitFor(() => failures.length > 0, { what: 'the failure reported' });
    expect(failures[0]!.message).toMatch(/a WAL checkpoint failed: .*directory does not exist|unable to open/);
    expect(db.pragma('wal_autocheckpoint', { simple: true }), "back to SQLite's default").toBe(1000);
    const before = statSync(file).size;
    for (let n = 1; n <= 400; n++) {
      insert.run(n, 'x'.repeat(16_000));
      ckpt.committed();
    }
    expect(statSync(file).size, 'the connection checkpointed in its commits').toBeGreaterThan(before + 100 * 16_000);
    expect(ckpt.threadRunning).toBe(false);
    expect(failures).toHaveLength(1);
  });
});

describe("the gateway's store", () => {
  it('runs no checkpoint on the main thread: the database is synced by another one (strace)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-ckpt-strace-'));
    const { stdout, stderr, markerAt, syncs } = syncsUnderStrace('wal-checkpoint-child.ts', dir, join(dir, 'marker'), dir);
    const [mainPid, copied, connectionCopies] = stdout.split(' ').map(Number);
    expect(mainPid, stderr).toBeGreaterThan(0);
    expect(copied, 'the database file took in pages from the WAL').toBeGreaterThan(150 * 30_000);
    expect(markerAt, 'the marker fsync is in the trace').toBeGreaterThanOrEqual(0);
    expect(connectionCopies, "the store's connection ran no checkpoint (the WAL never grew long)").toBe(0);
    // A checkpoint syncs the database file; none of those on the main thread. The one sync the main
    // thread may make is of the WAL: when a commit starts the WAL over (the thread had copied it
    // all), SQLite syncs the WAL's new header before the commit's frames (wal.c, syncHeader). A
    // loaded CI run saw one such; that is the writer's, not a checkpoint.
    expect(syncs.filter((s) => s.tid === mainPid && s.path !== join(dir, `${SQLITE_FILE}-wal`))).toEqual([]);
    expect(syncs.filter((s) => s.path === join(dir, SQLITE_FILE)).length, "a checkpoint's sync of the database file").toBeGreaterThan(0);
  });

  it("leaves checkpoints to the thread by default, and to the commits when the config says 'in-commits'", async () => {
    const pragma = async (store?: Record<string, unknown>) => {
      const c = parseGatewayConfig(
        { dataDir: mkdtempSync(join(tmpdir(), 'hcp-ckpt-config-')), hall: { hallName: '测试大厅' }, ...(store ? { store } : {}) },
        GATEWAY_FEATURES,
        '/',
      );
      const s = await openConfiguredStore(c, { onCheckpointerFailed: () => undefined });
      const v = s.sqlite!.pragma('wal_autocheckpoint', { simple: true });
      await s.close();
      return v;
    };
    expect(await pragma()).toBe(0);
    expect(await pragma({ kind: 'sqlite', checkpoints: 'in-commits' })).toBe(1000);
    expect(() => parseGatewayConfig({ dataDir: 'data', hall: { hallName: '测试大厅' }, store: { kind: 'sqlite', checkpoints: 'never' } }, GATEWAY_FEATURES, '/')).toThrow(
      /store\.checkpoints/,
    );
  });

  it('empties the WAL on demand (a purge) while the thread checkpoints all the time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hcp-ckpt-empty-')), 'gateway.db');
    const store = openSqliteStore({ file, checkpointer: { onFailed: () => undefined, everyMs: 1 } });
    open.push(store);
    await sql`CREATE TABLE notes (n INTEGER PRIMARY KEY, text TEXT NOT NULL)`.execute(store.db);
    for (let round = 1; round <= 10; round++) {
      for (let n = 1; n <= 30; n++) await store.write((trx) => sql`INSERT INTO notes (n, text) VALUES (${round * 100 + n}, ${'x'.repeat(3_000)})`.execute(trx));
      expect(await emptyWal(store.db), `round ${round}`).toBe(true);
      expect(walBytes(file), `round ${round}: the WAL's file is empty`).toBe(0);
    }
  });

  it('closes with no WAL left behind: the thread lets go of the file first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hcp-ckpt-close-')), 'gateway.db');
    const store = openSqliteStore({ file, checkpointer: { onFailed: () => undefined, everyMs: 5 } });
    await sql`CREATE TABLE notes (n INTEGER PRIMARY KEY)`.execute(store.db);
    for (let n = 1; n <= 20; n++) await store.write((trx) => sql`INSERT INTO notes (n) VALUES (${n})`.execute(trx));
    await new Promise((r) => setTimeout(r, 100));
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 20 });
    reopened.close();
  });

  it('closes in a program with nothing else keeping it alive: its close waits for the thread, which it keeps alive to end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-ckpt-embedded-'));
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../support/store-close-child.ts'), dir], { encoding: 'utf8', timeout: 60_000 });
    // Before: the thread was unref'd while the close awaited its end, and Node ended the program
    // there (exit code 13, a top-level await never settled), the store never closed.
    expect({ status: child.status, stdout: child.stdout, stderr: child.stderr }).toEqual({ status: 0, stdout: 'closed\n', stderr: '' });
    expect(existsSync(join(dir, `${SQLITE_FILE}-wal`))).toBe(false);
  });
});
