/**
 * Open the store the config names: SQLite (the default, `<dataDir>/gateway.db`, one hall) or
 * PostgreSQL (a city; docs/POSTGRES.md).
 */
import { join } from 'node:path';
import { openSqliteStore, type GatewayStore } from './database.js';
import { openPostgresStore } from './postgres-store.js';

export type StoreConfig = { kind: 'sqlite' } | { kind: 'postgres'; url: string; poolSize: number };

export const SQLITE_FILE = 'gateway.db';

export function openConfiguredStore(c: { dataDir: string; store?: StoreConfig | undefined }): Promise<GatewayStore> {
  const s = c.store ?? { kind: 'sqlite' };
  if (s.kind === 'postgres') return openPostgresStore({ connectionString: s.url, poolSize: s.poolSize });
  return Promise.resolve(openSqliteStore({ file: join(c.dataDir, SQLITE_FILE) }));
}
