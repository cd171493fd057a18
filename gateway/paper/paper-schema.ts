/**
 * The paper cards' tables (RULES.md R6): each batch printed for a window, and each card's serial
 * with what became of it. The rating an entered card gives lives in the ratings ledger like any
 * other (channel `paper-card`, assessId `card-<serial>`); these tables say which card it was, who
 * printed and who entered it, and whether it was entered late. Declared here and merged into the
 * store's table list, so this part owns its tables. Frozen once released.
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const PAPER_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261202-01-paper-cards',
    up: (db) =>
      runStatements(db, [
        `CREATE TABLE paper_batches (
          batch_id TEXT PRIMARY KEY, window_id TEXT NOT NULL REFERENCES windows (window_id),
          card_count INTEGER NOT NULL, printed_by TEXT NOT NULL, printed_at TEXT NOT NULL)`,
        `CREATE INDEX paper_batches_window ON paper_batches (window_id, printed_at)`,
        `CREATE TABLE paper_cards (
          serial TEXT PRIMARY KEY, batch_id TEXT NOT NULL REFERENCES paper_batches (batch_id), position INTEGER NOT NULL,
          window_id TEXT NOT NULL REFERENCES windows (window_id), printed_at TEXT NOT NULL,
          entered_at TEXT, entered_by TEXT, service_date TEXT, rated_at TEXT, working_days_after INTEGER, late INTEGER,
          UNIQUE (batch_id, position))`,
        `CREATE INDEX paper_cards_entered ON paper_cards (entered_at) WHERE entered_at IS NOT NULL`,
      ]),
  },
];

export interface PaperBatchesTable {
  batch_id: string;
  window_id: string;
  card_count: number;
  printed_by: string;
  printed_at: string;
}

export interface PaperCardsTable {
  /** Normalised, without the hyphens it is printed with. */
  serial: string;
  batch_id: string;
  /** 1 … card_count, the order on the sheets. */
  position: number;
  window_id: string;
  printed_at: string;
  entered_at: string | null;
  /** The console user who entered it (also in the audit log). */
  entered_by: string | null;
  /** The China date of the service written on the card. */
  service_date: string | null;
  rated_at: string | null;
  /** Working days after the service day up to the day of entry (the hall's calendar). */
  working_days_after: number | null;
  late: number | null;
}

declare module '../store/tables.js' {
  interface GatewayTables {
    paper_batches: PaperBatchesTable;
    paper_cards: PaperCardsTable;
  }
}
