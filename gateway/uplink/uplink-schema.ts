/** The uplink's tables (gateway/store/tables.ts says what each column holds). Frozen once released. */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

/**
 * A 差评's follow-up records join the outbox (kind 'rectification', rectification-enqueue.ts). The
 * kind's CHECK is widened: PostgreSQL swaps the constraint; SQLite cannot alter a CHECK, so the table
 * is rebuilt as it was with the wider one (same columns, ids and indexes) in the migration's
 * transaction.
 */
const KINDS = `kind IN ('rating', 'correction', 'amendment', 'rectification')`;
const OUTBOX_COLUMNS =
  'id, item_key, kind, assess_id, case_no, order_key, lane, at, after_id, replaceable, on_wire, revision, payload, state, attempts, last_error, enqueued_at, sent_at';

export const UPLINK_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-05-uplink-outbox',
    up: (db, kit) =>
      runStatements(db, [
        `CREATE TABLE uplink_held (
          assess_id TEXT PRIMARY KEY, order_key TEXT NOT NULL, log_seq INTEGER NOT NULL, release_at TEXT NOT NULL)`,
        `CREATE TABLE uplink_outbox (
          id ${kit.autoId}, item_key TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL CHECK (kind IN ('rating', 'correction', 'amendment')),
          assess_id TEXT NOT NULL, case_no TEXT, order_key TEXT NOT NULL, lane INTEGER NOT NULL, at TEXT NOT NULL,
          after_id INTEGER REFERENCES uplink_outbox (id),
          replaceable INTEGER NOT NULL DEFAULT 0, on_wire INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL DEFAULT 0,
          payload TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead', 'superseded')),
          attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, enqueued_at TEXT NOT NULL, sent_at TEXT)`,
        // The sender walks each lane's pending rows in rating order. Partial: a row leaves it once,
        // when it is sent, and the index stays the size of the backlog, not of the history.
        `CREATE INDEX uplink_outbox_pending ON uplink_outbox (lane, at, id) WHERE state = 'pending'`,
        `CREATE INDEX uplink_outbox_assess ON uplink_outbox (assess_id)`,
        `CREATE INDEX uplink_outbox_case ON uplink_outbox (case_no, id)`,
        `CREATE INDEX uplink_outbox_after ON uplink_outbox (after_id)`,
        `CREATE TABLE uplink_dead_letters (
          id ${kit.autoId}, outbox_id INTEGER NOT NULL UNIQUE REFERENCES uplink_outbox (id), item_key TEXT NOT NULL,
          reason TEXT NOT NULL, dead_at TEXT NOT NULL)`,
      ]),
  },
  {
    name: '20261201-21-uplink-rectification-kind',
    up: (db, kit) =>
      runStatements(
        db,
        kit.dialect === 'sqlite'
          ? [
              // Foreign keys stay on: their check waits for the commit, by which time every id that
              // the dead letters and after_id name is back. The rows go back after the drop, parents
              // first (an after_id names an older row), so each reference is resolved as it is made.
              'PRAGMA defer_foreign_keys = ON',
              'CREATE TEMP TABLE uplink_outbox_copy AS SELECT * FROM uplink_outbox',
              'DROP TABLE uplink_outbox',
              `CREATE TABLE uplink_outbox (
                id ${kit.autoId}, item_key TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL CHECK (${KINDS}),
                assess_id TEXT NOT NULL, case_no TEXT, order_key TEXT NOT NULL, lane INTEGER NOT NULL, at TEXT NOT NULL,
                after_id INTEGER REFERENCES uplink_outbox (id),
                replaceable INTEGER NOT NULL DEFAULT 0, on_wire INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL DEFAULT 0,
                payload TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead', 'superseded')),
                attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, enqueued_at TEXT NOT NULL, sent_at TEXT)`,
              `INSERT INTO uplink_outbox (${OUTBOX_COLUMNS}) SELECT ${OUTBOX_COLUMNS} FROM uplink_outbox_copy ORDER BY id`,
              'DROP TABLE uplink_outbox_copy',
              `CREATE INDEX uplink_outbox_pending ON uplink_outbox (lane, at, id) WHERE state = 'pending'`,
              'CREATE INDEX uplink_outbox_assess ON uplink_outbox (assess_id)',
              'CREATE INDEX uplink_outbox_case ON uplink_outbox (case_no, id)',
              'CREATE INDEX uplink_outbox_after ON uplink_outbox (after_id)',
            ]
          : ['ALTER TABLE uplink_outbox DROP CONSTRAINT IF EXISTS uplink_outbox_kind_check', `ALTER TABLE uplink_outbox ADD CONSTRAINT uplink_outbox_kind_check CHECK (${KINDS})`],
      ),
  },
];
