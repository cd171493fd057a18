/** The uplink's tables (gateway/store/tables.ts says what each column holds). Frozen once released. */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

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
];
