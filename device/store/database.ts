/**
 * Opening the device's SQLite store: WAL, synchronous=FULL (a commit survives a power cut), and
 * versioned migrations run at start inside one transaction each.
 */
import Database from 'better-sqlite3';
import { DEVICE_MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Cap the file's size (small flash on a device): SQLITE_FULL past it, handled like a full disk. */
  maxSizeMiB?: number;
  readonly?: boolean;
}

export function openDeviceDatabase(file: string, opts: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    runMigrations(db, DEVICE_MIGRATIONS);
  }
  db.pragma('busy_timeout = 5000');
  if (opts.maxSizeMiB !== undefined) {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(16, Math.floor((opts.maxSizeMiB * 1024 * 1024) / pageSize))}`);
  }
  return db;
}

export function runMigrations(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    })();
  }
}
