/**
 * Open the store the config names: SQLite (the default, `<dataDir>/gateway.db`, one hall) or
 * PostgreSQL (a city; docs/POSTGRES.md).
 */
import { join } from 'node:path';
import { openSqliteStore, type GatewayStore } from './database.js';

export type StoreConfig = { kind: 'sqlite' } | { kind: 'postgres'; url: string; poolSize: number };

export const SQLITE_FILE = 'gateway.db';

/**
 * `onBroken`: the store can no longer promise that a write is on disk (SQLite: its WAL's flush
 * failed, wal-sync.ts); the gateway stops taking work and exits. PostgreSQL's own server handles
 * that case (it stops and recovers from its log), and its store reconnects.
 */
export async function openConfiguredStore(c: { dataDir: string; store?: StoreConfig | undefined }, onBroken?: (err: Error) => void): Promise<GatewayStore> {
  const s = c.store ?? { kind: 'sqlite' };
  // PostgreSQL's driver is loaded only for a PostgreSQL store (a hall on SQLite never holds it).
  if (s.kind === 'postgres') return (await import('./postgres-store.js')).openPostgresStore({ connectionString: s.url, poolSize: s.poolSize });
  return Promise.resolve(openSqliteStore({ file: join(c.dataDir, SQLITE_FILE), ...(onBroken ? { onFlushFailed: onBroken } : {}) }));
}
