/**
 * The cases feature's tables (R9 cases from business systems, R7 defaults), namespaced `cases`.
 * Idempotent; needs the uplink tables too, since a default rating is enqueued to the uplink.
 */
import type Database from 'better-sqlite3';
import { migrateUplink } from '../uplink/outbox-schema.js';

export function migrateCases(db: Database.Database): void {
  migrateUplink(db);
  db.exec(`
    CREATE TABLE IF NOT EXISTS cases (
      case_no TEXT PRIMARY KEY,
      business_system TEXT NOT NULL,
      window_no TEXT NOT NULL,
      device_id TEXT NOT NULL,
      item_code TEXT,
      item_name TEXT,
      staff_id TEXT,
      invite_id TEXT NOT NULL,
      -- invited → rated (a rating naming the case arrived) | defaulted (R7); expired is kept for an
      -- invitation withdrawn by its business system.
      state TEXT NOT NULL CHECK (state IN ('invited', 'rated', 'expired', 'defaulted')),
      invited_at TEXT NOT NULL,
      published INTEGER NOT NULL DEFAULT 0,
      rating_id TEXT,
      rated_at TEXT,
      defaulted_at TEXT,
      -- AES-256-GCM (contact-crypto.ts); never returned by any API.
      contact_enc TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS cases_open ON cases (invited_at) WHERE state = 'invited';
    CREATE TABLE IF NOT EXISTS cases_api_keys (system_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS cases_cursor (name TEXT PRIMARY KEY, ingest_seq INTEGER NOT NULL);
    INSERT OR IGNORE INTO cases_cursor (name, ingest_seq) VALUES ('records', 0);
  `);
}
