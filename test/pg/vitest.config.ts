/**
 * The gateway's suites again, with its store on PostgreSQL (docs/POSTGRES.md):
 *   npx vitest run --config test/pg/vitest.config.ts [files]
 * Without files it runs the suites that exercise the store (the list below).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';

export const PG_SUITES = [
  'test/pg/**/*.test.ts',
  'test/sync/**/*.test.ts',
  'test/gateway/**/*.test.ts',
  'test/uplink/**/*.test.ts',
  'test/followup/**/*.test.ts',
  'test/reports/**/*.test.ts',
  'test/channels/**/*.test.ts',
];

/**
 * Files that do not reach the store through the switchable fixtures: gateways spawned as their
 * own processes with their own config (the drills), a SQLite-only migration, SQLite's WAL
 * flush, a SQLite file opened read-only, config parsing.
 * They run once, in the main run.
 */
export const PG_NOT_SWITCHED = [
  'test/sync/drill.test.ts',
  'test/sync/mosquitto.test.ts',
  'test/uplink/hall-to-province.test.ts',
  'test/uplink/outbox-migration.test.ts',
  'test/gateway/config-validation.test.ts',
  'test/gateway/opening-hours.test.ts',
  'test/gateway/wal-flush.test.ts',
  'test/gateway/wal-flush-failure.test.ts',
  'test/gateway/ingest-store-wide.test.ts',
  'test/gateway/wal-checkpointer.test.ts',
  'test/gateway/wal-checkpointer-failure.test.ts',
  'test/gateway/bench-stored-only.test.ts',
  'test/gateway/bench-disk-probe.test.ts',
  'test/gateway/bench-unit-environment.test.ts',
  'test/gateway/bench-profile-ingest.test.ts',
  'test/gateway/bench-ratio-text.test.ts',
  'test/gateway/bench-server-log.test.ts',
  'test/gateway/bench-gc-by-thread.test.ts',
  'test/gateway/bench-proc-stat.test.ts',
  'test/gateway/bench-group-phases.test.ts',
];

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...base.test,
    include: PG_SUITES,
    exclude: ['**/node_modules/**', ...PG_NOT_SWITCHED],
    globalSetup: ['test/pg/global-setup.ts'],
    env: { HCP_TEST_STORE: 'postgres' },
  },
});
