/** The core tables (gateway/store/tables.ts says what each holds). Frozen once released. */
import type { GatewayMigration } from './migrations.js';
import { runStatements } from './migrations.js';
import { LOG_TURNSTILES } from './log-order.js';

/** On PostgreSQL, the site broker's password file is rewritten by one worker at a time (broker/broker-password-file.ts). */
export const BROKER_FILE_TURNSTILE = 'turn_broker_password_file';

export const CORE_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-01-core-registry-devices-records',
    up: (db, kit) =>
      runStatements(db, [
        `CREATE TABLE windows (window_id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, department TEXT NOT NULL, created_at TEXT NOT NULL)`,
        `CREATE TABLE staff (
          staff_id TEXT PRIMARY KEY, staff_no TEXT NOT NULL, name TEXT NOT NULL, post TEXT NOT NULL, title TEXT NOT NULL,
          window_id TEXT REFERENCES windows (window_id), badge_uids TEXT NOT NULL DEFAULT '[]', photo TEXT)`,
        `CREATE TABLE devices (
          device_id TEXT PRIMARY KEY, window_id TEXT REFERENCES windows (window_id), retired INTEGER NOT NULL DEFAULT 0,
          current_epoch INTEGER NOT NULL DEFAULT 0, mqtt_password_hash TEXT, broker_password_hash TEXT, status TEXT,
          online INTEGER NOT NULL DEFAULT 0, offline_since TEXT, last_seen_at TEXT, config_version INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL, enrolled_at TEXT)`,
        `CREATE TABLE device_epochs (
          device_id TEXT NOT NULL REFERENCES devices (device_id), epoch INTEGER NOT NULL, public_key_pem TEXT NOT NULL,
          key_fingerprint TEXT NOT NULL, head_seq INTEGER NOT NULL DEFAULT 0, head_hash TEXT, enrolled_at TEXT NOT NULL, ended_at TEXT,
          PRIMARY KEY (device_id, epoch))`,
        `CREATE TABLE enrolment_codes (
          code_hash TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices (device_id), expires_at TEXT NOT NULL,
          used_at TEXT, used_key_fingerprint TEXT)`,
        `CREATE TABLE device_nonces (nonce TEXT PRIMARY KEY, device_id TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT)`,
        `CREATE INDEX device_nonces_expiry ON device_nonces (expires_at)`,
        `CREATE TABLE records (
          ingest_seq ${kit.autoId}, id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,
          kind TEXT NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL, at_corrected TEXT NOT NULL, clock_offset_ms INTEGER, clock_flag TEXT,
          window_id TEXT, level INTEGER, body TEXT NOT NULL, stored_at TEXT NOT NULL,
          UNIQUE (device_id, epoch, seq))`,
        ...kit.appendOnly('records'),
        `CREATE TABLE chain_gaps (
          id ${kit.autoId}, device_id TEXT NOT NULL, epoch INTEGER NOT NULL, expected_seq INTEGER NOT NULL, got_seq INTEGER NOT NULL,
          detected_at TEXT NOT NULL)`,
        `CREATE TABLE security_events (
          id ${kit.autoId}, kind TEXT NOT NULL, client_id TEXT, remote TEXT, detail TEXT NOT NULL, count INTEGER NOT NULL,
          first_at TEXT NOT NULL, last_at TEXT NOT NULL)`,
        `CREATE INDEX security_events_last ON security_events (last_at)`,
        `CREATE TABLE alerts (
          id ${kit.autoId}, kind TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL, raised_at TEXT NOT NULL, last_at TEXT NOT NULL,
          count INTEGER NOT NULL DEFAULT 1, cleared_at TEXT, acked_at TEXT, acked_by TEXT, ack_comment TEXT)`,
        // At most one live alert of a kind per subject: a repeat bumps its count.
        `CREATE UNIQUE INDEX alerts_live ON alerts (kind, subject) WHERE cleared_at IS NULL`,
        `CREATE TABLE cursors (name TEXT PRIMARY KEY, position INTEGER NOT NULL)`,
      ]),
  },
  {
    name: '20261130-02-core-accounts',
    up: (db, kit) =>
      runStatements(db, [
        `CREATE TABLE users (
          username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL,
          failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT)`,
        `CREATE TABLE sessions (
          token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users (username), role TEXT NOT NULL,
          created_at TEXT NOT NULL, expires_at TEXT NOT NULL, last_seen_at TEXT NOT NULL, ended_at TEXT)`,
        `CREATE TABLE audit_log (
          id ${kit.autoId}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT, detail TEXT, remote TEXT)`,
        ...kit.appendOnly('audit_log'),
      ]),
  },
  {
    name: '20261130-03-core-ratings',
    up: (db, kit) =>
      runStatements(db, [
        `CREATE TABLE cases (
          case_no TEXT PRIMARY KEY, business_system TEXT NOT NULL, window_id TEXT NOT NULL, window_number TEXT NOT NULL,
          device_id TEXT, item_code TEXT, item_name TEXT, staff_id TEXT,
          state TEXT NOT NULL CHECK (state IN ('open', 'rated', 'defaulted', 'withdrawn')),
          created_at TEXT NOT NULL, deadline_date TEXT, first_assess_id TEXT, rated_at TEXT, defaulted_at TEXT,
          withdrawn_at TEXT, withdraw_reason TEXT, contact_enc TEXT)`,
        `CREATE INDEX cases_open ON cases (deadline_date) WHERE state = 'open'`,
        `CREATE TABLE assessments (
          seq ${kit.autoId}, assess_id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, channel TEXT NOT NULL,
          record_id TEXT, device_id TEXT, case_no TEXT, assess_number INTEGER NOT NULL, level INTEGER NOT NULL,
          pressed_at TEXT NOT NULL, china_date TEXT NOT NULL, clock_flag TEXT, window_id TEXT, window_number TEXT, department TEXT,
          staff_id TEXT, item_code TEXT, item_name TEXT, catalogue_version TEXT, is_default INTEGER NOT NULL,
          replaces TEXT, superseded_by TEXT, reasons TEXT, comment TEXT, contact_record_id TEXT, details_at TEXT, flags TEXT,
          created_at TEXT NOT NULL)`,
        `CREATE INDEX assessments_day ON assessments (china_date, window_id)`,
        `CREATE INDEX assessments_case ON assessments (case_no, assess_number) WHERE case_no IS NOT NULL`,
        `CREATE TABLE assessment_log (seq ${kit.autoId}, assess_id TEXT NOT NULL, change TEXT NOT NULL, at TEXT NOT NULL)`,
        ...kit.appendOnly('assessment_log'),
      ]),
  },
  {
    name: '20261130-06-core-departments-items-accounts',
    up: (db) =>
      runStatements(db, [
        // Departments form a tree (a bureau and its sections): a department head sees theirs and
        // everything below it; escalation (a later feature) goes up it.
        `CREATE TABLE departments (
          department_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, parent_id TEXT REFERENCES departments (department_id),
          created_at TEXT NOT NULL)`,
        `ALTER TABLE windows ADD COLUMN department_id TEXT REFERENCES departments (department_id)`,
        `CREATE TABLE service_items (
          item_code TEXT PRIMARY KEY, name TEXT NOT NULL, department_id TEXT REFERENCES departments (department_id),
          retired INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)`,
        `ALTER TABLE users ADD COLUMN department_id TEXT REFERENCES departments (department_id)`,
        `ALTER TABLE users ADD COLUMN display_name TEXT`,
        `ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0`,
        `ALTER TABLE assessments ADD COLUMN department_id TEXT`,
        `CREATE INDEX assessments_department_day ON assessments (department_id, china_date)`,
      ]),
  },
  {
    // A device's open nonces are counted at each issue (enrolment/device-login.ts): by index, not a
    // scan of every device's, for a city's thousands of devices.
    name: '20261203-01-core-device-nonces-by-device',
    up: (db) => runStatements(db, ['CREATE INDEX device_nonces_device ON device_nonces (device_id, expires_at)']),
  },
  {
    // The device's one valid code is named on its own row (enrolment/enrolment.ts): registering
    // writes that row and inserts the code, and no longer deletes the older codes by device_id —
    // a read PostgreSQL's SSI takes as a read of every device's codes, which made registrations
    // of different devices abort each other. The code a device holds today: its unused one, else
    // the one it last enrolled with (which it may present again after a crash).
    name: '20261204-01-core-devices-enrolment-code',
    up: (db) =>
      runStatements(db, [
        'ALTER TABLE devices ADD COLUMN enrolment_code_hash TEXT',
        `UPDATE devices SET enrolment_code_hash = COALESCE(
          (SELECT c.code_hash FROM enrolment_codes c WHERE c.device_id = devices.device_id AND c.used_at IS NULL ORDER BY c.expires_at DESC LIMIT 1),
          (SELECT c.code_hash FROM enrolment_codes c WHERE c.device_id = devices.device_id ORDER BY c.used_at DESC LIMIT 1))`,
        'CREATE INDEX enrolment_codes_device ON enrolment_codes (device_id)',
      ]),
  },
  {
    // The turns of the followed logs on PostgreSQL (log-order.ts): one empty table per log.
    name: '20261203-02-core-log-turnstiles',
    up: (db, kit) => runStatements(db, kit.dialect === 'postgres' ? LOG_TURNSTILES.map((t) => `CREATE TABLE ${t} (unused INTEGER)`) : []),
  },
  {
    // The password file's turn, an empty table as the logs' are.
    name: '20261205-01-core-broker-file-turnstile',
    up: (db, kit) => runStatements(db, kit.dialect === 'postgres' ? [`CREATE TABLE ${BROKER_FILE_TURNSTILE} (unused INTEGER)`] : []),
  },
];
