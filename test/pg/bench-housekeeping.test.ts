/**
 * bench:gateway's housekeeping before a PostgreSQL phase (scripts/bench/pg-housekeeping.ts): what
 * an earlier phase wrote is vacuumed and analyzed, and a checkpoint made, so that autovacuum finds
 * nothing of it to do during the next phase. Checked on a real server's own statistics.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serverHousekeeping } from '../../scripts/bench/pg-housekeeping.js';
import { createDatabase } from './workers-support.js';
import { type PgCluster, startPgCluster } from '../support/pg-cluster.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
}, 60_000);
afterAll(() => cluster?.stop());

async function query<T>(url: string, text: string): Promise<T[]> {
  // A session of its own each time: a session keeps the statistics it read for its transaction.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

it('leaves no table with rows waiting for autovacuum or analyze, and a checkpoint made after them', async () => {
  const url = await createDatabase(cluster.baseUrl, 'hcp_housekeeping');
  await query(url, 'CREATE TABLE written (n integer PRIMARY KEY, body text NOT NULL)');
  await query(url, "INSERT INTO written SELECT n, repeat('x', 200) FROM generate_series(1, 20000) AS n");
  const [before] = await query<{ checkpoint_time: Date }>(url, 'SELECT checkpoint_time FROM pg_control_checkpoint()');
  // The control file keeps a checkpoint's time in whole seconds: one made below is a later one.
  await new Promise((r) => setTimeout(r, 1_100));
  const started = Math.floor(Date.now() / 1000) * 1000;

  const seconds = await serverHousekeeping(cluster.baseUrl, 'hcp_housekeeping');

  expect(seconds).toBeGreaterThan(0);
  const [table] = await query<{ ins: string; mod: string; vacuumed: Date | null; analyzed: Date | null }>(
    url,
    "SELECT n_ins_since_vacuum AS ins, n_mod_since_analyze AS mod, last_vacuum AS vacuumed, last_analyze AS analyzed FROM pg_stat_user_tables WHERE relname = 'written'",
  );
  expect(table).toMatchObject({ ins: '0', mod: '0' });
  expect(table!.vacuumed).toBeInstanceOf(Date);
  expect(table!.analyzed).toBeInstanceOf(Date);
  const [after] = await query<{ checkpoint_time: Date }>(url, 'SELECT checkpoint_time FROM pg_control_checkpoint()');
  expect(after!.checkpoint_time.getTime()).toBeGreaterThan(before!.checkpoint_time.getTime());
  expect(after!.checkpoint_time.getTime()).toBeGreaterThanOrEqual(started);
}, 60_000);
