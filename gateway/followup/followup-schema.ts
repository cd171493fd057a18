/**
 * The tables of what happens after a 差评 (RULES.md R12–R14): one follow-up per 差评, the append-only
 * events that are its history, appeals, and write-offs. Core tables, not a feature's: a write-off
 * changes every statistic, so the ledger's readers (reports, the live hall, the uplink) may rely on
 * them being there.
 *
 * `followups` is a projection of `followup_events` (like `assessments` of the device records): every
 * change is an event first, the row says where the follow-up stands now, for queries and reports.
 * `write_offs` is append-only: a written-off rating stays stored, visible with its write-off, and
 * leaves the statistics (R14, R15).
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const FOLLOWUP_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261201-01-core-followups',
    up: (db, kit) =>
      runStatements(db, [
        `CREATE TABLE followups (
          followup_id TEXT PRIMARY KEY,
          assess_id TEXT NOT NULL UNIQUE,
          department_id TEXT, window_id TEXT, staff_id TEXT,
          opened_at TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
          step TEXT NOT NULL,
          handler TEXT,
          finding TEXT CHECK (finding IN ('true', 'untrue', 'partly')),
          resolution TEXT CHECK (resolution IN ('immediate', 'deadline', 'explained')),
          due_date TEXT,
          due_at TEXT,
          extended_days INTEGER NOT NULL DEFAULT 0,
          escalation_level INTEGER NOT NULL DEFAULT 0,
          rectified_at TEXT,
          replied_at TEXT,
          called_back_at TEXT,
          rerating_level INTEGER,
          rerated_at TEXT,
          rerating_declined INTEGER NOT NULL DEFAULT 0,
          root_cause TEXT CHECK (root_cause IN ('staff', 'process', 'system', 'policy')),
          action_taken TEXT,
          closed_at TEXT,
          reopened_count INTEGER NOT NULL DEFAULT 0,
          contact_opened_count INTEGER NOT NULL DEFAULT 0,
          contact_purged_at TEXT)`,
        `CREATE INDEX followups_open ON followups (state, due_date)`,
        `CREATE INDEX followups_department ON followups (department_id, opened_at)`,
        `CREATE TABLE followup_events (
          seq ${kit.autoId}, followup_id TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL,
          note TEXT, data TEXT, attachments TEXT)`,
        `CREATE INDEX followup_events_followup ON followup_events (followup_id, seq)`,
        ...kit.appendOnly('followup_events'),
        `CREATE TABLE appeals (
          appeal_id TEXT PRIMARY KEY, assess_id TEXT NOT NULL, followup_id TEXT,
          appellant TEXT NOT NULL, filed_at TEXT NOT NULL, grounds TEXT NOT NULL, evidence TEXT,
          state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
          decided_by TEXT, decided_at TEXT, decision_note TEXT)`,
        `CREATE INDEX appeals_assessment ON appeals (assess_id)`,
        `CREATE TABLE write_offs (
          assess_id TEXT PRIMARY KEY, appeal_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('mistaken', 'malicious')),
          approved_by TEXT NOT NULL, approved_at TEXT NOT NULL, reason TEXT NOT NULL)`,
        ...kit.appendOnly('write_offs'),
      ]),
  },
];
