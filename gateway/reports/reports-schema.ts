/**
 * The reports' tables and the indexes their aggregates run on (gateway/reports/measure-queries.ts).
 * Frozen once released. Dialect-neutral: partial indexes and triggers exist on SQLite and PostgreSQL.
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const REPORTS_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261201-11-reports-snapshots',
    up: (db, kit) =>
      runStatements(db, [
        `CREATE TABLE report_snapshots (
          snapshot_id TEXT PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('monthly', 'quarterly')),
          period TEXT NOT NULL,
          version INTEGER NOT NULL,
          period_from TEXT NOT NULL, period_to TEXT NOT NULL,
          cutoff TEXT NOT NULL, generated_at TEXT NOT NULL, generated_by TEXT NOT NULL,
          previous_id TEXT REFERENCES report_snapshots (snapshot_id), previous_hash TEXT,
          reason TEXT, basis TEXT NOT NULL,
          content TEXT NOT NULL, content_hash TEXT NOT NULL, hash TEXT NOT NULL,
          UNIQUE (kind, period, version))`,
        // R15: a published report is never edited; a correction is the next version.
        ...kit.appendOnly('report_snapshots'),
        `CREATE TABLE report_checks (
          kind TEXT NOT NULL, period TEXT NOT NULL, checked_seq INTEGER NOT NULL, checked_at TEXT NOT NULL,
          PRIMARY KEY (kind, period))`,
      ]),
  },
  {
    name: '20261201-12-reports-indexes',
    up: (db) =>
      runStatements(db, [
        // Covering for the month's one pass over the ledger (a city month is a million rows): every
        // column the grouping, the levels and the settled cases need, none read from the table.
        // superseded_by leads (a superseded default counts nowhere: all counted rows share NULL,
        // then run by date); a partial index would do the same, but SQLite does not take a partial
        // index as covering when the query names its condition's column.
        `CREATE INDEX assessments_report ON assessments
          (superseded_by, china_date, department_id, window_id, staff_id, item_code, channel, level, is_default, assess_number, case_no)`,
        // The few rows read one by one (差评 for their follow-ups, ratings with reasons for the
        // dimensions): a small partial index, so the read skips the rest of the month. Queries must
        // repeat its condition word for word for SQLite to use it (measure-queries.ts DETAILED).
        `CREATE INDEX assessments_report_details ON assessments (superseded_by, china_date)
          WHERE superseded_by IS NULL AND (level <= 2 OR reasons IS NOT NULL)`,
        // Withdrawn cases that still got a rating: not settled cases (NATIONAL-SPEC "the measures").
        `CREATE INDEX cases_withdrawn_rated ON cases (first_assess_id) WHERE state = 'withdrawn' AND first_assess_id IS NOT NULL`,
      ]),
  },
];
