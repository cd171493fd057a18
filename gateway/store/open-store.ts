/**
 * Open the store the config names: SQLite (the default, `<dataDir>/gateway.db`, one hall) or
 * PostgreSQL (a city; docs/POSTGRES.md).
 */
import { join } from 'node:path';
import { openSqliteStore, type GatewayStore } from './database.js';

export type StoreConfig = { kind: 'sqlite'; checkpoints?: 'thread' | 'in-commits' } | { kind: 'postgres'; url: string; poolSize: number; preparedStatements?: boolean };

export const SQLITE_FILE = 'gateway.db';

export interface OpenStoreOptions {
  /**
   * The store can no longer promise that a write is on disk (SQLite: its WAL's flush failed,
   * wal-sync.ts); the gateway stops taking work and exits. PostgreSQL's own server handles that
   * case (it stops and recovers from its log), and its store reconnects.
   */
  onBroken?: (err: Error) => void;
  /**
   * SQLite: checkpoint the WAL on a thread of its own (wal-checkpointer.ts), for a process that
   * serves; told when that thread fails and commits checkpoint on the event loop again.
   */
  onCheckpointerFailed?: (err: Error) => void;
}

export async function openConfiguredStore(c: { dataDir: string; store?: StoreConfig | undefined }, o: OpenStoreOptions = {}): Promise<GatewayStore> {
  const s = c.store ?? { kind: 'sqlite' };
  // PostgreSQL's driver is loaded only for a PostgreSQL store (a hall on SQLite never holds it).
  if (s.kind === 'postgres')
    return (await import('./postgres-store.js')).openPostgresStore({ connectionString: s.url, poolSize: s.poolSize, preparedStatements: s.preparedStatements ?? true });
  return Promise.resolve(
    openSqliteStore({
      file: join(c.dataDir, SQLITE_FILE),
      ...(o.onBroken ? { onFlushFailed: o.onBroken } : {}),
      ...(o.onCheckpointerFailed && s.checkpoints !== 'in-commits' ? { checkpointer: { onFailed: o.onCheckpointerFailed } } : {}),
    }),
  );
}
