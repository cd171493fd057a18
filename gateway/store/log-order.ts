/**
 * Followed logs: tables whose auto-increasing key a follower walks with a cursor (`records` by
 * ingest_seq for the assessor, `assessment_log` for the uplink and follow-ups, `followup_events`,
 * `chain_gaps`). The follower is right only if rows commit in the order of their keys: once it has
 * passed key 11 it never looks at 10 again. SQLite gives that for free (one writer at a time). On
 * PostgreSQL a key is taken at INSERT and becomes visible at COMMIT, so two writers can commit
 * 11 before 10, and SERIALIZABLE does not forbid it (the follower serializes before the writer of
 * 10). So on PostgreSQL, a transaction that appends to a followed log first takes that log's
 * transaction-scoped advisory lock: appenders of one log take turns from their insert to their
 * commit, whichever worker they run in, and a key never becomes visible before a smaller one.
 * Readers and the other tables are not held up.
 */
import { PostgresAdapter, sql } from 'kysely';
import type { Tx } from './database.js';

/** One advisory lock key per followed log (an arbitrary constant, the same in every worker). */
const LOG_LOCKS = {
  records: 0x4843_5001,
  assessment_log: 0x4843_5002,
  followup_events: 0x4843_5003,
} as const;

export type FollowedLog = keyof typeof LOG_LOCKS;

/** The logs each open transaction already holds (a transaction appends many times). */
const held = new WeakMap<Tx, Set<FollowedLog>>();

/** Before appending to `log` in `trx`: on PostgreSQL, wait for the other appenders of it to commit. */
export async function lockLogForAppend(trx: Tx, log: FollowedLog): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  let logs = held.get(trx);
  if (logs?.has(log)) return;
  await sql`SELECT pg_advisory_xact_lock(${LOG_LOCKS[log]})`.execute(trx);
  if (!logs) held.set(trx, (logs = new Set()));
  logs.add(log);
}
