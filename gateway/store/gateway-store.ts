/**
 * The gateway's store: one SQLite file (WAL, synchronous=FULL) with versioned migrations.
 * Other gateway features (uplink, cases) add their own tables through `extraMigrations`, each
 * namespaced by feature so versions never collide: `{ feature: 'uplink', version: 1, … }`.
 */
import Database from 'better-sqlite3';

export type GatewayDb = Database.Database;

export interface FeatureMigration {
  feature: string;
  version: number;
  name: string;
  sql: string;
}

const CORE: FeatureMigration[] = [
  {
    feature: 'core',
    version: 1,
    name: 'records, windows, staff, devices, enrolment, users, chain gaps',
    sql: `
      CREATE TABLE records (
        ingest_seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        window_id TEXT,
        level INTEGER,
        body TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        UNIQUE (device_id, seq)
      );
      CREATE INDEX records_window_level ON records (window_id, level) WHERE kind = 'rating';
      CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
      CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;

      CREATE TABLE windows (
        window_id TEXT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        department TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE staff (
        staff_id TEXT PRIMARY KEY,
        staff_no TEXT NOT NULL,
        name TEXT NOT NULL,
        post TEXT NOT NULL,
        title TEXT NOT NULL,
        window_id TEXT REFERENCES windows(window_id),
        badge_uids TEXT NOT NULL DEFAULT '[]',
        photo TEXT
      );
      CREATE TABLE devices (
        device_id TEXT PRIMARY KEY,
        window_id TEXT REFERENCES windows(window_id),
        public_key_pem TEXT,
        mqtt_password_hash TEXT,
        -- The same password in an external broker's own format (Mosquitto), only in that mode.
        broker_password_hash TEXT,
        retired INTEGER NOT NULL DEFAULT 0,
        head_seq INTEGER NOT NULL DEFAULT 0,
        head_hash TEXT,
        status TEXT,
        config_version INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        enrolled_at TEXT
      );
      CREATE TABLE enrolment_codes (
        code_hash TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(device_id),
        expires_at TEXT NOT NULL,
        used_at TEXT
      );
      CREATE TABLE users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('hall-it', 'manager')),
        created_at TEXT NOT NULL
      );
      CREATE TABLE chain_gaps (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        expected_seq INTEGER NOT NULL,
        got_seq INTEGER NOT NULL,
        detected_at TEXT NOT NULL
      );
      CREATE TABLE security_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        client_id TEXT,
        detail TEXT
      );
    `,
  },
];

export function openGatewayStore(file: string, opts: { extraMigrations?: FeatureMigration[] } = {}): GatewayDb {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (feature TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (feature, version))',
  );
  const applied = new Set(
    (db.prepare('SELECT feature, version FROM schema_migrations').all() as Array<{ feature: string; version: number }>).map((m) => `${m.feature}/${m.version}`),
  );
  for (const m of [...CORE, ...(opts.extraMigrations ?? [])]) {
    if (applied.has(`${m.feature}/${m.version}`)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (feature, version, name, applied_at) VALUES (?, ?, ?, ?)').run(m.feature, m.version, m.name, new Date().toISOString());
    })();
  }
  return db;
}
