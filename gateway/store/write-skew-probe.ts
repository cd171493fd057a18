/**
 * Whether this server's SERIALIZABLE keeps two transactions from each changing what the other read
 * (write skew). PostgreSQL's does (serializable snapshot isolation: one of the two fails with
 * 40001). An engine that takes SERIALIZABLE and gives snapshot isolation — what PostgreSQL calls
 * REPEATABLE READ, and what some PostgreSQL-compatible engines run under that name — lets both
 * commit, and every read-then-write of the gateway that leans on SERIALIZABLE (docs/POSTGRES.md,
 * "Transactions: SERIALIZABLE, retried") could then interleave with another worker's.
 *
 * The probe is the textbook case, on a table of its own: two sessions each count the rows on
 * duty, then each takes a different one off duty. It needs a table, so it creates one under a name
 * no other worker's probe uses, and drops it whatever happens.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** What the open's refusal says of such an engine (postgres-store.ts; docs/POSTGRES.md quotes it). */
export const WRITE_SKEW_FOUND = 'let two SERIALIZABLE transactions both commit after each changed a row the other had read (write skew)';

export type ProbedIsolation = 'serializable' | 'repeatable read';

/** True when both transactions committed: `isolation` does not prevent write skew on this server. */
export async function writeSkewCommits(connection: pg.ClientConfig, isolation: ProbedIsolation = 'serializable'): Promise<boolean> {
  const table = `hcp_isolation_probe_${randomBytes(6).toString('hex')}`;
  const [a, b] = [new pg.Client(connection), new pg.Client(connection)];
  for (const c of [a, b]) c.on('error', () => undefined);
  try {
    await a.connect();
    await b.connect();
    await a.query(`CREATE TABLE ${table} (k integer PRIMARY KEY, on_duty boolean NOT NULL)`);
    await a.query(`INSERT INTO ${table} (k, on_duty) VALUES (1, true), (2, true)`);
    try {
      for (const c of [a, b]) {
        await c.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
        await c.query(`SELECT count(*) FROM ${table} WHERE on_duty`);
      }
      await a.query(`UPDATE ${table} SET on_duty = false WHERE k = 1`);
      await b.query(`UPDATE ${table} SET on_duty = false WHERE k = 2`);
      await a.query('COMMIT');
      await b.query('COMMIT');
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '40001') return false;
      throw err;
    }
  } finally {
    for (const c of [a, b]) await c.query('ROLLBACK').catch(() => undefined);
    await a.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    for (const c of [a, b]) await c.end().catch(() => undefined);
  }
}
