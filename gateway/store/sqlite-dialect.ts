/**
 * Kysely's SQLite dialect over better-sqlite3, with two changes the gateway needs:
 *  - write transactions start with BEGIN IMMEDIATE, so a second process on the same file (hall IT's
 *    CLI, a backup, an uplink run on its own) waits on busy_timeout instead of failing when a
 *    deferred transaction tries to upgrade its read lock;
 *  - migrations run in a transaction (SQLite does have transactional DDL; Kysely's adapter says
 *    it does not, which would let a crash leave half a migration applied);
 *  - prepared statements are cached by SQL text (better-sqlite3 has no cache of its own, and the
 *    hot paths run the same few statements thousands of times a second).
 */
import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteAdapter, SqliteDialect, type DatabaseConnection, type DialectAdapter, type Driver, type QueryCompiler, type TransactionSettings } from 'kysely';

const STATEMENT_CACHE = 500;

/** better-sqlite3 behind Kysely's SqliteDatabase interface, with an LRU of prepared statements. */
function cachingDatabase(db: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

class ImmediateTransactionDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    return this.inner.acquireConnection();
  }
  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
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
  constructor(db: Database.Database) {
    super({ database: cachingDatabase(db) });
  }

  override createDriver(): Driver {
    return new ImmediateTransactionDriver(super.createDriver());
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
