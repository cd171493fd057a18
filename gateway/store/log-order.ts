/**
 * Followed logs: tables whose auto-increasing key a follower walks with a cursor (`records` by
 * ingest_seq for the assessor, `assessment_log` for the uplink and follow-ups, `followup_events`,
 * `chain_gaps`). The follower is right only if rows commit in the order of their keys: once it has
 * passed key 11 it never looks at 10 again. SQLite gives that for free (one writer at a time). On
 * PostgreSQL a key is taken at INSERT and becomes visible at COMMIT, so two writers can commit
 * 11 before 10, and SERIALIZABLE does not forbid it (the follower serializes before the writer of
 * 10). So on PostgreSQL, a transaction that appends to a followed log first takes that log's turn:
 * an EXCLUSIVE lock on the log's turnstile, an empty table nobody reads or writes. Appenders of one
 * log take turns from their insert to their commit, whichever worker they run in, and a key never
 * becomes visible before a smaller one. Readers and the other tables are not held up.
 *
 * The turn is a LOCK TABLE, not a query such as SELECT pg_advisory_xact_lock(): SERIALIZABLE
 * freezes a transaction's view at its first query, and LOCK TABLE is not a query. An appender
 * that takes its turn first thing (ingest's groups do) gets its view after the wait, so it reads
 * what the appender before it committed. With the advisory lock the view was frozen before the
 * wait: a group read stale chain heads, and its writes beside the previous group's failed as
 * serialization failures or unique-key conflicts, to be run again or batch by batch
 * (docs/POSTGRES.md). LOCK TABLE is also plain SQL that PostgreSQL-compatible engines accept.
 */
import { CompiledQuery, PostgresAdapter } from 'kysely';
import type { Tx } from './database.js';

/** The turnstile of each followed log. */
const TURNSTILES = {
  records: 'turn_records',
  assessment_log: 'turn_assessment_log',
  followup_events: 'turn_followup_events',
} as const;

export type FollowedLog = keyof typeof TURNSTILES;

/** Each log's LOCK statement, made once: every group commit takes one (statement-texts.ts says why not anew). */
const LOCKS = Object.fromEntries(Object.entries(TURNSTILES).map(([log, table]) => [log, CompiledQuery.raw(`LOCK TABLE ${table} IN EXCLUSIVE MODE`)])) as Record<
  FollowedLog,
  CompiledQuery
>;

/** The turnstile tables, made on PostgreSQL by core-schema.ts (SQLite has one writer at a time and needs none). */
export const LOG_TURNSTILES: readonly string[] = Object.values(TURNSTILES);

/** The logs each open transaction already holds (a transaction appends many times). */
const held = new WeakMap<Tx, Set<FollowedLog>>();

/** Before appending to `log` in `trx`: on PostgreSQL, wait for the other appenders of it to commit. */
export async function lockLogForAppend(trx: Tx, log: FollowedLog): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  let logs = held.get(trx);
  if (logs?.has(log)) return;
  await trx.executeQuery(LOCKS[log]);
  if (!logs) held.set(trx, (logs = new Set()));
  logs.add(log);
}
