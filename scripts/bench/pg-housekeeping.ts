/**
 * The server's housekeeping of what a bench's earlier phases wrote, done before the next measured
 * phase starts (issue 14, "make every bench's ratio mean something"). quiet-machine.ts waits for
 * the gateway's catch-up after a phase; PostgreSQL's own catch-up comes later and is not seen by
 * that wait: autovacuum looks for work once a minute (autovacuum_naptime), and a checkpoint writes
 * the phase's dirty pages out within checkpoint_timeout. bench:gateway's throughput phase writes
 * 900,000 ratings and their ledger rows into tables that were empty a minute before, so every
 * table crosses autovacuum's thresholds (a share of its rows) and the next phase measured the
 * vacuums, analyzes and checkpoint of that bulk beside its own commits. A site's tables, holding a
 * year of ratings, cross them rarely. So before each phase the bench does that work itself, at once,
 * and says how long it took; the phase's server log (pg-server-log.ts) still counts any autovacuum
 * or checkpoint that its own writes bring.
 */
import pg from 'pg';

/** VACUUM (ANALYZE) of `database`, then a CHECKPOINT of the cluster; the time both took, in s. */
export async function serverHousekeeping(baseUrl: string, database: string): Promise<number> {
  const db = new pg.Client({ connectionString: `${baseUrl}/${database}` });
  await db.connect();
  try {
    const t0 = performance.now();
    await db.query('VACUUM (ANALYZE)');
    await db.query('CHECKPOINT');
    return (performance.now() - t0) / 1000;
  } finally {
    await db.end();
  }
}

/** BENCH_PG_HOUSEKEEPING=0 leaves the earlier phases' housekeeping to the server (to measure what it costs a phase). */
export const HOUSEKEEPING_FIRST = process.env.BENCH_PG_HOUSEKEEPING !== '0';

/** What bench:gateway prints under a phase's figure about the housekeeping before it. */
export function housekeepingText(seconds: number | null): string {
  return seconds === null
    ? 'the earlier phases’ vacuum, analyze and checkpoint left to the server (BENCH_PG_HOUSEKEEPING=0)'
    : `before these rounds the server vacuumed and analyzed what the earlier phases wrote and made a checkpoint (${seconds.toFixed(1)} s, not timed)`;
}
