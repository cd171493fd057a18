/**
 * The table of badge captures (issue 11: hall IT takes a badge's UID by tapping it on a device).
 * A core table beside CORE_MIGRATIONS, in a file of its own. Frozen once released.
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const BADGE_CAPTURE_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-07-core-badge-captures',
    up: (db) =>
      runStatements(db, [
        // In the database, not in memory: with several workers on a site broker, the tap may reach
        // a worker other than the one the console asks.
        `CREATE TABLE badge_captures (
          capture_id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices (device_id), requested_by TEXT NOT NULL,
          requested_at TEXT NOT NULL, expires_at TEXT NOT NULL, uid TEXT, captured_at TEXT)`,
        `CREATE INDEX badge_captures_requested ON badge_captures (requested_at)`,
      ]),
  },
];
