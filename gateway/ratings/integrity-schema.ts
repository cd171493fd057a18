/** The index behind the integrity report (gateway/ratings/integrity-report.ts). Frozen once released. */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const INTEGRITY_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-21-core-integrity-index',
    up: (db) =>
      runStatements(db, [
        // Covering for the report over a date range (a year is millions of rows): counted from the
        // index alone, no table row read. Partial: system defaults carry no integrity facts.
        `CREATE INDEX assessments_integrity ON assessments (china_date, window_id, staff_id, department_id, flags) WHERE flags IS NOT NULL`,
      ]),
  },
];
