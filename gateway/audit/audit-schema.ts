/** The audit log's time index, for the auditor's queries by date (gateway/http/routes/audit-routes.ts). Frozen once released. */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const AUDIT_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-22-core-audit-time-index',
    up: (db) => runStatements(db, [`CREATE INDEX audit_log_at ON audit_log (at)`]),
  },
];
