/**
 * Whether a failed write failed for a reason of the whole store, not of what it wrote: then every
 * other write fails the same way, and trying a group's batches one by one only repeats the error
 * once per batch in the log. Only causes that no batch's content can bring about are listed: a
 * batch's own failure taken for the store's would leave the batches grouped with it
 * unacknowledged, again at each resend.
 */

/**
 * A PostgreSQL that takes no writes, said alike by /health (postgres-store.ts) and by ingest's log
 * line (SQLSTATE 25006, below): an operator who reads both reads one cause.
 */
export const READ_ONLY_DATABASE = 'the database takes no writes (transaction_read_only = on: a standby, or default_transaction_read_only)';

/** PostgreSQL's SQLSTATEs (by class or code) that no write can get past while they last. */
const PG_STORE_WIDE: Array<[RegExp, string]> = [
  [/^25006$/, READ_ONLY_DATABASE],
  [/^08[0-9A-Z]{3}$/, 'the connection to the database failed'],
  [/^57P0[123]$/, 'the database is shutting down or starting'],
  [/^53[0-9A-Z]{3}$/, 'the database is out of a resource (disk, memory or connections)'],
  // Met only when a connection opens: the pool's connections were ended, and a new one is refused.
  [/^28[0-9A-Z]{3}$/, 'the database refuses the configured user or password'],
  [/^3D000$/, 'the configured database does not exist'],
];

/** Node's errors of a socket that cannot reach the server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE']);

/** pg's own errors, which carry no code. */
const PG_CLIENT_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/];

/** SQLite's result codes of a file that takes no write (better-sqlite3's SqliteError.code). */
const SQLITE_STORE_WIDE: Array<[RegExp, string]> = [
  [/^SQLITE_FULL$/, 'the disk is full'],
  [/^SQLITE_READONLY/, 'the database file takes no writes'],
  [/^SQLITE_IOERR/, 'the disk failed a read or write'],
  [/^SQLITE_CANTOPEN$/, 'the database file cannot be opened'],
];

/** Why no write can succeed now, or null when the failure may be the write's own. */
export function storeWideFailure(err: unknown): string | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  for (const [pattern, why] of [...PG_STORE_WIDE, ...SQLITE_STORE_WIDE]) if (pattern.test(code)) return why;
  if (SOCKET_CODES.has(code)) return `the database cannot be reached (${code})`;
  const message = typeof e?.message === 'string' ? e.message : '';
  if (!code && PG_CLIENT_MESSAGES.some((m) => m.test(message))) return 'the connection to the database failed';
  return null;
}
