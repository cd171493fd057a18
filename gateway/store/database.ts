/**
 * The gateway's store behind one query layer (Kysely). SQLite (better-sqlite3, WAL, each commit
 * flushed before it resolves: wal-sync.ts) is the embedded default for one hall; the PostgreSQL dialect plugs in here
 * for a city (postgres-store.ts). Features get a `GatewayStore` and write their queries once, for both.
 */
import Database from 'better-sqlite3';
import { Kysely, type Transaction } from 'kysely';
import { GatewaySqliteDialect } from './sqlite-dialect.js';
import type { GatewayTables } from './tables.js';
import { type CheckpointStats, WalCheckpointer, type WalCheckpointerOptions } from './wal-checkpointer.js';
import { type Flusher, WalSync, walFileFlusher } from './wal-sync.js';

export type DialectName = 'sqlite' | 'postgres';
export type Db = Kysely<GatewayTables>;
export type Tx = Transaction<GatewayTables>;

export interface GatewayStore {
  readonly dialect: DialectName;
  readonly db: Db;
  /**
   * SQLite only: the connection itself, for the few hot paths that keep hand-tuned prepared
   * statements (ingest, the assessor) beside their Kysely form. Use it only inside `write(fn)`,
   * where the transaction holds this one connection; null on PostgreSQL.
   */
  readonly sqlite: Database.Database | null;
  /**
   * A write transaction (BEGIN IMMEDIATE on SQLite; SERIALIZABLE on PostgreSQL, where `fn` may run
   * again after a serialization failure: keep its effects inside the transaction); rolled back if
   * `fn` throws.
   */
  write<T>(fn: (trx: Tx) => Promise<T>, options?: WriteOptions): Promise<T>;
  /**
   * PostgreSQL only: how many times a write ran again after a serialization failure or a deadlock,
   * by SQLSTATE, since this store opened (`/metrics`, hcp_store_write_retries_total). SQLite's
   * writers take turns and never run again.
   */
  readonly writeRetries?: () => Readonly<Record<string, number>>;
  /**
   * PostgreSQL only: from now on this statement text, wherever it runs, goes as a named prepared
   * statement, parsed and planned once per connection instead of at each run (ingest's records
   * insert: up to 500 rows, 7,000 parameters). For a few fixed texts: each stays prepared on every
   * pooled connection for as long as the connection lives.
   */
  readonly keepPrepared?: (text: string) => void;
  /**
   * Whether this process could commit a write now (GET /health, store-health.ts): PostgreSQL asks
   * its server on a connection of its own; SQLite, in this process, reads its file.
   */
  health(): Promise<StoreHealth>;
  /** SQLite with its checkpointing thread (wal-checkpointer.ts): what that thread has done (`/metrics`). */
  readonly walCheckpoints?: () => Readonly<CheckpointStats>;
  close(): Promise<void>;
}

export type StoreHealth = { ok: true } | { ok: false; problem: string };

export interface WriteOptions {
  /**
   * PostgreSQL only (SQLite's writers take turns whatever this says). READ COMMITTED, for a write
   * that reads nothing it does not lock: an upsert's own row (ON CONFLICT), a foreign key's target,
   * a row read FOR KEY SHARE or FOR UPDATE. Row locks keep such a write serializable, and it takes
   * none of SERIALIZABLE's page-wide read marks, so writes of different keys never abort each
   * other (docs/POSTGRES.md, "Writes that lock what they read"). A write that reads and decides on
   * anything else stays SERIALIZABLE.
   */
  isolation?: 'serializable' | 'read committed';
}

export interface SqliteStoreOptions {
  file: string;
  readonly?: boolean;
  /** What makes the WAL durable after a commit; by default an fdatasync of `<file>-wal` off the event loop (wal-sync.ts). */
  flusher?: Flusher;
  /** Called once when a flush fails: from then on every write fails (wal-sync.ts); the gateway exits. */
  onFlushFailed?: (err: Error) => void;
  /**
   * Checkpoint the WAL on a thread of its own, never in a commit on the event loop
   * (wal-checkpointer.ts): the long-running gateway. Without it, SQLite's default (a short-lived
   * command, a test).
   */
  checkpointer?: Omit<WalCheckpointerOptions, 'file' | 'connection'>;
}

/** The page cache of each connection to the store, in KiB (PRAGMA cache_size). */
const SQLITE_PAGE_CACHE_KIB = 2000;

export function openSqliteStore(o: SqliteStoreOptions): GatewayStore {
  const raw = new Database(o.file, { readonly: o.readonly ?? false, fileMustExist: o.readonly ?? false });
  if (!o.readonly) {
    // WAL, or no store: the flush after each commit is of the -wal file (wal-sync.ts).
    const mode = raw.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal') {
      raw.close();
      throw new Error(
        `the gateway's SQLite store needs WAL mode, and ${o.file} stays in "${mode}" mode (a filesystem without shared memory, such as some network mounts, cannot give it)`,
      );
    }
    // A commit survives a power cut: the gateway acknowledges ratings only after it. NORMAL, because
    // the WAL's flush after each commit is ours, off the event loop (wal-sync.ts); SQLite still
    // syncs around its checkpoints.
    raw.pragma('synchronous = NORMAL');
  }
  raw.pragma('foreign_keys = ON');
  // What is deleted or overwritten is zeroed in its page, not left in free space: a purged call-back
  // key (gateway/followup/contact-escrow.ts) must not survive in the file. FAST costs no extra I/O.
  if (!o.readonly) raw.pragma('secure_delete = FAST');
  raw.pragma('busy_timeout = 5000');
  // SQLite's own default page cache, 2,000 KiB, where better-sqlite3 builds it with 16,000: a loaded
  // run filled that and it stayed resident for good (docs/OPERATIONS.md, "Memory"). The store's hot
  // pages are few (the indexes' upper levels and right-hand leaves); the rest comes from the OS's
  // file cache.
  raw.pragma(`cache_size = -${SQLITE_PAGE_CACHE_KIB}`);
  const checkpointer = o.checkpointer && !o.readonly ? new WalCheckpointer({ ...o.checkpointer, file: o.file, connection: raw }) : null;
  const wal = o.readonly
    ? null
    : new WalSync(
        afterEachFlush(o.flusher ?? walFileFlusher(`${o.file}-wal`), () => checkpointer?.committed()),
        o.onFlushFailed,
      );
  const db = new Kysely<GatewayTables>({ dialect: new GatewaySqliteDialect(raw, wal) });
  let closed = false;
  return {
    dialect: 'sqlite',
    db,
    sqlite: raw,
    write: (fn) => db.transaction().execute(fn),
    async health() {
      // A failed flush of the WAL ends the process (onFlushFailed): while it lives, a read is the test.
      try {
        raw.prepare('SELECT count(*) FROM sqlite_schema').get();
        return { ok: true };
      } catch (err) {
        return { ok: false, problem: `the SQLite store cannot be read: ${(err as Error).message}` };
      }
    },
    ...(checkpointer ? { walCheckpoints: () => checkpointer.stats } : {}),
    async close() {
      if (closed) return;
      closed = true;
      // The thread's connection first: the store's, closing last, checkpoints and removes the WAL.
      await checkpointer?.close();
      await db.destroy();
      await wal?.close();
    },
  };
}

/** The flusher, telling `then` after each flush: every commit that wrote is followed by one. */
function afterEachFlush(flusher: Flusher, then: () => void): Flusher {
  return {
    flush: () => flusher.flush().then(then),
    close: () => flusher.close(),
  };
}
