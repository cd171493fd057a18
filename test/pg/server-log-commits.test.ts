/**
 * profile-latency.ts's timeline of the server's slow COMMITs (scripts/bench/pg-server-log.ts,
 * slowCommitsSince), read from a real server's log: a COMMIT held on purpose is found, with its
 * start and its time in the server. A cluster of its own: the log settings are the whole server's.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { logSlowStatements, slowCommitsSince } from '../../scripts/bench/pg-server-log.js';
import { statSync } from 'node:fs';
import { type PgCluster, startPgCluster } from '../support/pg-cluster.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
}, 60_000);
afterAll(() => cluster?.stop());

it('finds a COMMIT over the threshold, with its start on the wall clock and its server time', async () => {
  await logSlowStatements(cluster.baseUrl, 40);
  const from = statSync(cluster.logFile).size;
  const client = new pg.Client({ connectionString: `${cluster.baseUrl}/postgres` });
  await client.connect();
  try {
    await client.query('CREATE TABLE held (n integer)');
    await client.query('SELECT 1'); // under the threshold: not a commit, not logged
    // A COMMIT that waits 60 ms in the server: a deferred constraint trigger that sleeps runs at COMMIT.
    await client.query(`CREATE FUNCTION sleep_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.06); RETURN NULL; END $$`);
    await client.query('CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON held DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sleep_at_commit()');
    await client.query('BEGIN');
    await client.query('INSERT INTO held VALUES (1)');
    const before = Date.now();
    await client.query('COMMIT');
    const after = Date.now();
    // A short COMMIT after it: under the threshold, not listed.
    await client.query('INSERT INTO held SELECT 2 WHERE false');
    await new Promise((r) => setTimeout(r, 300)); // the log is written by the server's logger
    const commits = slowCommitsSince(cluster.logFile, from);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.ms).toBeGreaterThanOrEqual(60);
    expect(commits[0]!.ms).toBeLessThan(after - before + 5);
    // The log's clock is the machine's, to the millisecond.
    expect(commits[0]!.at).toBeGreaterThanOrEqual(before - 5);
    expect(commits[0]!.at + commits[0]!.ms).toBeLessThanOrEqual(after + 5);
  } finally {
    await client.end();
  }
});
