/**
 * The uplink's own tables in the gateway SQLite file, namespaced `uplink_`. Idempotent: safe to
 * run on every start, before or after the core store's migrations.
 */
import type Database from 'better-sqlite3';

export const UPLINK_LANES = 16;

export function migrateUplink(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS uplink_cursor (name TEXT PRIMARY KEY, ingest_seq INTEGER NOT NULL);
    INSERT OR IGNORE INTO uplink_cursor (name, ingest_seq) VALUES ('records', 0);

    -- Ratings waiting for their detail record (see enqueue.ts for why).
    CREATE TABLE IF NOT EXISTS uplink_held (
      rating_id TEXT PRIMARY KEY,
      device_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      at TEXT NOT NULL,
      rating TEXT NOT NULL,
      detail TEXT,
      release_after INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS uplink_held_device ON uplink_held (device_id, seq);

    CREATE TABLE IF NOT EXISTS uplink_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      assess_id TEXT NOT NULL UNIQUE,
      order_key TEXT NOT NULL,
      lane INTEGER NOT NULL,
      at TEXT NOT NULL,
      payload TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      enqueued_at TEXT NOT NULL,
      sent_at TEXT
    );
    CREATE INDEX IF NOT EXISTS uplink_outbox_pending ON uplink_outbox (lane, at, id) WHERE state = 'pending';

    CREATE TABLE IF NOT EXISTS uplink_dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      outbox_id INTEGER NOT NULL UNIQUE REFERENCES uplink_outbox (id),
      assess_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      dead_at TEXT NOT NULL
    );

    -- A detail that arrived after its rating had already gone up: kept, not sent (the provincial
    -- interface has no "amend" call; a 追评 is a new rating by the citizen, not this).
    CREATE TABLE IF NOT EXISTS uplink_late_details (detail_id TEXT PRIMARY KEY, rating_id TEXT NOT NULL, body TEXT NOT NULL, seen_at TEXT NOT NULL);
  `);
}

export function laneOf(orderKey: string): number {
  let h = 2166136261;
  for (let i = 0; i < orderKey.length; i++) h = Math.imul(h ^ orderKey.charCodeAt(i), 16777619);
  return (h >>> 0) % UPLINK_LANES;
}
