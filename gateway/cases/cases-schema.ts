/** The cases feature's tables: invitations to devices and business systems' API keys. */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const CASES_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-04-cases-invitations-keys',
    up: (db) =>
      runStatements(db, [
        `CREATE TABLE invitations (
          invite_id TEXT PRIMARY KEY, case_no TEXT NOT NULL REFERENCES cases (case_no), device_id TEXT NOT NULL,
          issued_at TEXT NOT NULL, valid_until TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'armed', 'refused', 'expired', 'withdrawn', 'superseded')),
          state_at TEXT NOT NULL, reason TEXT)`,
        `CREATE INDEX invitations_open ON invitations (device_id, issued_at) WHERE state IN ('queued', 'sent', 'armed')`,
        `CREATE INDEX invitations_case ON invitations (case_no, issued_at)`,
        `CREATE TABLE case_api_keys (system_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, created_at TEXT NOT NULL)`,
      ]),
  },
];
