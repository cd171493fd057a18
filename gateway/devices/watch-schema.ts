/** The device watch's table (gateway/store/tables.ts says what it holds). Frozen once released. */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const WATCH_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261130-20-core-device-backlog-reports',
    up: (db, kit) =>
      runStatements(db, [
        // In the database, not in memory: any gateway worker may take a device's next report.
        `CREATE TABLE device_backlog_reports (id ${kit.autoId}, device_id TEXT NOT NULL, backlog INTEGER NOT NULL, at TEXT NOT NULL)`,
        `CREATE INDEX device_backlog_reports_device ON device_backlog_reports (device_id, id)`,
      ]),
  },
];
