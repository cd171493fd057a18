/**
 * What the follow-up feature added to the lead's follow-up tables (followup-schema.ts, which is
 * released and never edited): the escrowed opening key of each call-back number
 * (`followup_contact_keys`, contact-escrow.ts), and `followups.reminded_due_at`, the deadline the
 * last reminder was for — a compare-and-set guard, so several workers on one database remind once.
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const FOLLOWUP_CONTACT_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261201-02-core-followups-contact-keys-reminders',
    up: (db) =>
      runStatements(db, [
        `ALTER TABLE followups ADD COLUMN reminded_due_at TEXT`,
        `CREATE TABLE followup_contact_keys (
          record_id TEXT PRIMARY KEY, followup_id TEXT NOT NULL, key_id TEXT NOT NULL, opening_key TEXT,
          escrowed_at TEXT NOT NULL, purged_at TEXT)`,
        `CREATE INDEX followup_contact_keys_followup ON followup_contact_keys (followup_id)`,
      ]),
  },
];
