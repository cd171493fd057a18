/**
 * Kysely's SQLite dialect over better-sqlite3, with two changes the gateway needs:
 *  - write transactions start with BEGIN IMMEDIATE, so a second process on the same file (hall IT's
 *    CLI, a backup, an uplink run on its own) waits on busy_timeout instead of failing when a
 *    deferred transaction tries to upgrade its read lock;
 *  - migrations run in a transaction (SQLite does have transactional DDL; Kysely's adapter says
 *    it does not, which would let a crash leave half a migration applied);
 *  - prepared statements are cached by SQL text (better-sqlite3 has no cache of its own, and the
 *    hot paths run the same few statements thousands of times a second);
 *  - a commit that wrote, and a write outside a transaction, resolve only once the WAL is flushed
 *    to disk by wal-sync.ts, off the event loop (the connection runs synchronous=NORMAL).
 */
import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { WalSync } from './wal-sync.js';

const STATEMENT_CACHE = 500;

/** better-sqlite3 behind Kysely's SqliteDatabase interface, with an LRU of prepared statements. */
function cachingDatabase(db: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    /** Whether the statement last prepared may write (Kysely prepares each query just before it runs it). */
    lastWrites: false,
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      this.lastWrites = !stmt.readonly;
      return stmt;
    },
  };
}

type CachingDatabase = ReturnType<typeof cachingDatabase>;

/**
 * The one connection, seen through what its statements write: a write outside a transaction is
 * flushed at once (wal-sync.ts); a transaction is flushed at its commit (the driver below).
 */
class FlushingConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly db: CachingDatabase,
    private readonly raw: Database.Database,
    private readonly wal: WalSync,
  ) {}
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = this.inner.executeQuery<R>(query);
    // Read at once: the inner connection prepares and runs the statement synchronously.
    const wrote = this.db.lastWrites;
    const r = await result;
    if (wrote && !this.raw.inTransaction) await this.wal.committed();
    return r;
  }
  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class ImmediateTransactionDriver implements Driver {
  private connection: FlushingConnection | null = null;
  constructor(
    private readonly inner: Driver,
    private readonly db: CachingDatabase,
    private readonly raw: Database.Database,
    private readonly wal: WalSync | null,
  ) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await this.inner.acquireConnection();
    if (!this.wal) return inner;
    this.connection ??= new FlushingConnection(inner, this.db, this.raw, this.wal);
    return this.connection;
  }
  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.commitTransaction(connection);
    // Every commit, not only those whose Kysely statements wrote: the hot paths write through
    // their own prepared statements (GatewayStore.sqlite), unseen here. A commit that wrote
    // nothing leaves nothing dirty, and its flush is quick. Held until the flush ends: the write
    // resolves (and an ack goes out) only once it is on disk.
    if (this.wal) await this.wal.committed();
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // After a commit whose flush failed there is nothing to roll back: let the flush's error through.
    if (!this.raw.inTransaction) return;
    await this.inner.rollbackTransaction(connection);
  }
  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.savepoint!(connection, name, compile);
  }
  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.rollbackToSavepoint!(connection, name, compile);
  }
  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.releaseSavepoint!(connection, name, compile);
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

export class GatewaySqliteDialect extends SqliteDialect {
  private readonly cached: CachingDatabase;
  /** `wal`: flushes commits off the event loop (a writable store); null for a read-only one. */
  constructor(
    private readonly raw: Database.Database,
    private readonly wal: WalSync | null = null,
  ) {
    const cached = cachingDatabase(raw);
    super({ database: cached });
    this.cached = cached;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionDriver(super.createDriver(), this.cached, this.raw, this.wal);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
