/**
 * PostgreSQL's own account of a bench phase (issue 14: profile, don't guess): turn on the server's
 * log of slow statements, lock waits, checkpoints and autovacuum runs, and summarise what it wrote
 * since a point in its log file. Used by profile-latency.ts and pg-backlog-probe.ts.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { sleep } from './sim-devices.js';

/** The cluster at `baseUrl` logs from now on: statements slower than `ms` (their time in the server), lock waits past 5 ms, checkpoints and autovacuum runs. */
export async function logSlowStatements(baseUrl: string, ms: number): Promise<void> {
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  for (const set of [
    `log_min_duration_statement = '${ms}ms'`,
    "log_lock_waits = 'on'",
    "deadlock_timeout = '5ms'",
    "log_checkpoints = 'on'",
    "log_autovacuum_min_duration = '0'",
    "log_line_prefix = '%m [%p] '",
    // slowCommitsSince reads the times as UTC.
    "log_timezone = 'UTC'",
  ])
    await admin.query(`ALTER SYSTEM SET ${set}`);
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
  await sleep(200);
}

/** The server's log from byte `from` on. */
const logSince = (file: string, from: number) => readFileSync(file).subarray(from).toString('utf8');

/** How much of a log line other than a timed statement serverLogSince prints. */
export const OTHER_LINE_CHARS = 200;

/** The server's log from byte `from` on: statements grouped by text (count, mean and longest server time), then the other lines. */
export function serverLogSince(file: string, from: number): string {
  const lines = logSince(file, from).trimEnd();
  if (!lines) return "PostgreSQL's log during the round: nothing (no statement over the threshold, no lock wait, no checkpoint)";
  // Statements by their text (parameters are $n): how many, and the time the server spent on them.
  const by = new Map<string, number[]>();
  const other: string[] = [];
  for (const line of lines.split('\n')) {
    // A statement's parameters and its further lines say nothing more here.
    if (line.includes('DETAIL:  parameters:') || /^\s/.test(line)) continue;
    const m = /duration: ([\d.]+) ms\s+(?:statement|execute [^:]*): (.*)$/.exec(line);
    if (!m) {
      // An error's STATEMENT line holds the whole statement: a group's insert runs to thousands of characters.
      if (!line.includes('duration:')) other.push(line.length > OTHER_LINE_CHARS ? `${line.slice(0, OTHER_LINE_CHARS)}… (${line.length} characters)` : line);
      continue;
    }
    const text = m[2]!.replace(/\s+/g, ' ').slice(0, 110);
    by.set(text, [...(by.get(text) ?? []), Number(m[1])]);
  }
  const rows = [...by]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, 30)
    .map(([t, ms]) => `  ${String(ms.length).padStart(6)} × ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(2)} ms avg, max ${Math.max(...ms).toFixed(1)}: ${t}`);
  return `PostgreSQL's log during the round: statements over the threshold by text (count, server time)\n${rows.join('\n')}\n${other.slice(0, 40).join('\n')}`;
}

/** A statement the server timed (over log_min_duration_statement): its wall-clock start in ms, its time in the server, whether it was a COMMIT. */
interface TimedStatement {
  at: number;
  ms: number;
  commit: boolean;
}

/**
 * Every timed statement in a stretch of the server's log, COMMITs too. Its start is the line's time
 * (log_line_prefix '%m', in UTC: logSlowStatements), written as it ends, less its duration.
 */
function timedStatements(text: string): TimedStatement[] {
  const timed: TimedStatement[] = [];
  for (const m of text.matchAll(
    /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) UTC \[\d+\] LOG:\s+duration: ([\d.]+) ms\s+(?:statement|execute [^:]*|parse [^:]*|bind [^:]*): (.*)$/gm,
  )) {
    const ms = Number(m[3]);
    timed.push({ at: Date.parse(`${m[1]}T${m[2]}Z`) - ms, ms, commit: /^commit\s*$/i.test(m[4]!) });
  }
  return timed;
}

/** The COMMITs in the server's log from byte `from` on, each with its wall-clock start: placed on a round's timeline by profile-latency.ts. */
export function slowCommitsSince(file: string, from: number): { at: number; ms: number }[] {
  return timedStatements(logSince(file, from))
    .filter((t) => t.commit)
    .map(({ at, ms }) => ({ at, ms }));
}

const longestText = (ms: number[]) => (ms.length > 0 ? ` (the longest ${Math.max(...ms).toFixed(1)} ms)` : '');

/**
 * In one line, what the server did from byte `from` on that can hold acks back: its COMMITs over the
 * log's threshold, its other statements over it (a COPY, a read) and the lock waits it logged,
 * autovacuum and analyze runs, checkpoints begun. bench:gateway prints it under PostgreSQL's
 * press→ack figure, so that its tail comes with the server's part in it — or shows that the server
 * had none.
 */
export function serverStallsText(file: string, from: number, thresholdMs: number): string {
  const text = logSince(file, from);
  const timed = timedStatements(text);
  const count = (pattern: RegExp) => (text.match(pattern) ?? []).length;
  const commits = timed.filter((t) => t.commit).map((t) => t.ms);
  const others = timed.filter((t) => !t.commit).map((t) => t.ms);
  return [
    `COMMITs over ${thresholdMs} ms: ${commits.length}${longestText(commits)}`,
    `other statements over ${thresholdMs} ms: ${others.length}${longestText(others)}, lock waits logged: ${count(/LOG:\s+process \d+ still waiting for/g)}`,
    `autovacuum runs: ${count(/LOG:\s+automatic vacuum of table/g)}, analyze runs: ${count(/LOG:\s+automatic analyze of table/g)}`,
    `checkpoints begun: ${count(/LOG:\s+checkpoint starting/g)}`,
  ].join('; ');
}

/** The cluster's logging as it was before logSlowStatements: what ALTER SYSTEM set there, reset. */
export async function endSlowStatementLog(baseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  await admin.query('ALTER SYSTEM RESET ALL');
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
}
