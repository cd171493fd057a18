/**
 * The gateway's store on PostgreSQL (a city's shared database; docs/POSTGRES.md). The same Kysely
 * queries as on SQLite; what differs is here:
 *  - every write transaction is SERIALIZABLE and retried on a serialization failure (40001) or a
 *    deadlock (40P01). The features were written against SQLite, where BEGIN IMMEDIATE makes
 *    writers take turns: each read-then-write (ingest's chain head, the cursors, a case's state,
 *    an alert's live row) is right only if no other writer slips in between. SERIALIZABLE keeps
 *    that promise for every one of them, and for the ones written later, without a FOR UPDATE
 *    audit of each query; the price is a retry when two workers really did collide. A write that
 *    reads only rows it locks may ask for READ COMMITTED (WriteOptions), and is retried the same;
 *  - bigint and numeric results (count(*), sum(…)) come back as numbers, as SQLite gives them:
 *    every count the gateway keeps is far below 2^53.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { GatewayStore, StoreHealth, Tx, WriteOptions } from './database.js';
import { READ_ONLY_DATABASE } from './store-wide-failure.js';
import type { GatewayTables } from './tables.js';
import { WRITE_SKEW_FOUND, writeSkewCommits } from './write-skew-probe.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; libpq's PG* variables fill what it leaves out. */
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** Connections this process keeps (default 10); several workers share the server's max_connections. */
  poolSize?: number;
  /**
   * Whether `keepPrepared` texts go as named prepared statements (default true). False behind a
   * transaction-mode pooler that does not carry a session's prepared statements from one
   * transaction to the next (PgBouncer before 1.21, or with max_prepared_statements = 0).
   */
  preparedStatements?: boolean;
  /** How many times a write is retried after a serialization failure or a deadlock (default 10). */
  maxWriteAttempts?: number;
  /**
   * False opens a database that checkDatabase refuses: only for the bench that measures what such
   * a database costs (scripts/bench/pg-collation.ts); the gateway's config has no way to set it.
   */
  checkDatabase?: boolean;
}

/** PostgreSQL cannot be reached or refuses us: one line, without the password. */
export class StoreUnavailableError extends Error {}

/** The database is not set up as docs/POSTGRES.md asks (commits on disk, UTF-8, the C collation): one line naming what to change. */
export class DatabaseSetupError extends Error {}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const RETRYABLE = new Set(['40001', '40P01']);

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** Where the store points, for messages: never the password. */
export function describeTarget(o: PostgresStoreOptions): string {
  if (o.connectionString) {
    try {
      const u = new URL(o.connectionString);
      return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
    } catch {
      return 'the configured url';
    }
  }
  return `${o.host ?? process.env.PGHOST ?? 'localhost'}:${o.port ?? process.env.PGPORT ?? 5432}/${o.database ?? process.env.PGDATABASE ?? ''}`;
}

export async function openPostgresStore(o: PostgresStoreOptions): Promise<GatewayStore> {
  const connection = {
    ...(o.connectionString ? { connectionString: o.connectionString } : {}),
    ...(o.host ? { host: o.host } : {}),
    ...(o.port ? { port: o.port } : {}),
    ...(o.database ? { database: o.database } : {}),
    ...(o.user ? { user: o.user } : {}),
    ...(o.password ? { password: o.password } : {}),
    application_name: 'hcp-gateway',
    types: typeParsers,
  };
  const pool = new pg.Pool({
    ...connection,
    max: o.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    // Idle connections alone do not keep a process alive (a CLI command, a test) once its work is done.
    allowExitOnIdle: true,
  });
  // An idle connection dropped by a server restart must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  // A server restart ends every pooled connection with 57P01; one in use at that moment emits
  // 'error' on its client, which would crash the worker. Its query fails and is retried instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const prepared = new Map<string, string>();
  let first: pg.PoolClient;
  try {
    first = await pool.connect();
  } catch (err) {
    await pool.end().catch(() => undefined);
    const e = err as Error & { code?: string };
    throw new StoreUnavailableError(`PostgreSQL at ${describeTarget(o)} cannot be reached: ${errorText(e)}`);
  }
  try {
    if (o.checkDatabase !== false) await checkDatabase(first, connection, describeTarget(o));
  } catch (err) {
    first.release();
    await pool.end().catch(() => undefined);
    throw err;
  }
  first.release();
  const db = new Kysely<GatewayTables>({ dialect: new PostgresDialect({ pool: namingPool(pool, prepared) }) });
  const attempts = Math.max(1, o.maxWriteAttempts ?? 10);
  const retries: Record<string, number> = {};
  let closed = false;
  return {
    dialect: 'postgres',
    db,
    sqlite: null,
    async write<T>(fn: (trx: Tx) => Promise<T>, options?: WriteOptions): Promise<T> {
      const isolation = options?.isolation ?? 'serializable';
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().setIsolationLevel(isolation).execute(fn);
        } catch (err) {
          const code = (err as { code?: string }).code ?? '';
          if (attempt >= attempts || !RETRYABLE.has(code)) throw err;
          retries[code] = (retries[code] ?? 0) + 1;
          // Back off a little, more each time and at random, so the colliding writers spread out.
          await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));
        }
      }
    },
    writeRetries: () => retries,
    health: () => probeHealth(connection),
    keepPrepared(text: string) {
      if (o.preparedStatements !== false && !prepared.has(text)) prepared.set(text, `hcp_${prepared.size + 1}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/**
 * Before anything is read or written (a migration included), what the gateway's promises need of
 * the database, each refusal one line naming the fix:
 *  - it takes writes: a standby (a replica, or a former primary after a failover) answers every
 *    session read-only, and a gateway that started on one would refuse every batch;
 *  - its COMMIT waits for the disk: an ack tells a device its ratings are stored, and the device may
 *    then let them go. With `synchronous_commit = off` the server reports a commit before its log is
 *    flushed, and a crash of the server loses what it had reported; with `fsync = off` a crash of its
 *    machine can lose or corrupt anything. (`local`, `remote_write`, `remote_apply` all flush
 *    locally first.) Tuning guides suggest the first for write-heavy loads; the role's own setting
 *    overrides the server's, so a site can keep it for its other databases;
 *  - it holds text as UTF-8 and compares it by code point, as SQLite does. Under a language's
 *    collation (a libc locale such as zh_CN.UTF-8, or ICU's) the lists the database sorts come out
 *    otherwise than on SQLite, every insert into a text index pays for the language's comparison
 *    (docs/POSTGRES.md, "Config"), and an update of the system's locale data can change that order
 *    under an existing unique index — the index that keeps each record stored once. Asked of the
 *    server's behaviour, not its catalogue, so that a PostgreSQL-compatible engine that names its
 *    collations otherwise is judged the same way;
 *  - its SERIALIZABLE is serializable, not snapshot isolation under that name (write-skew-probe.ts:
 *    the one check that writes, to a table of its own that it drops).
 */
async function checkDatabase(client: pg.PoolClient, connection: pg.ClientConfig, target: string): Promise<void> {
  const r = await client.query<{ encoding: string; by_code_point: boolean; fsync: string; synchronous_commit: string; read_only: string; role: string }>(
    `SELECT current_setting('server_encoding') AS encoding, 'B' < 'a' AS by_code_point, current_setting('fsync') AS fsync,
       current_setting('synchronous_commit') AS synchronous_commit, current_setting('transaction_read_only') AS read_only, current_user AS role`,
  );
  const { encoding, by_code_point, fsync, synchronous_commit, read_only, role } = r.rows[0]!;
  const where = `the PostgreSQL database at ${target}`;
  if (read_only === 'on')
    throw new DatabaseSetupError(
      `${where} takes no writes (transaction_read_only = on): it is a standby, or default_transaction_read_only is on; point store.url at the primary, or ALTER ROLE ${sqlName(role)} SET default_transaction_read_only = off (docs/POSTGRES.md, "Config")`,
    );
  if (fsync === 'off')
    throw new DatabaseSetupError(
      `${where} runs with fsync = off: a crash of its machine can lose ratings the gateway acknowledged; set fsync = on in postgresql.conf (docs/POSTGRES.md, "Config")`,
    );
  if (synchronous_commit === 'off')
    throw new DatabaseSetupError(
      `${where} reports a commit before it is on disk (synchronous_commit = off): a crash of the server would lose ratings the gateway acknowledged; ALTER ROLE ${sqlName(role)} SET synchronous_commit = on (docs/POSTGRES.md, "Config")`,
    );
  const remedy = `create it with ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0 (docs/POSTGRES.md, "Config")`;
  if (encoding.toUpperCase() !== 'UTF8') throw new DatabaseSetupError(`${where} holds text as ${encoding}, not UTF-8: ${remedy}`);
  if (!by_code_point) throw new DatabaseSetupError(`${where} sorts text by a language's rules, not by code point (its collation is not C): ${remedy}`);
  if (await writeSkewCommits(connection))
    throw new DatabaseSetupError(
      `${where} ${WRITE_SKEW_FOUND}: its SERIALIZABLE is snapshot isolation, which does not keep the gateway's workers' writes apart; run the gateway on an engine whose SERIALIZABLE is serializable, such as PostgreSQL (docs/POSTGRES.md, "Config")`,
    );
}

/** How long a health probe waits for the server to connect and answer. */
export const HEALTH_PROBE_TIMEOUT_MS = 3_000;

/**
 * Whether a write could commit now, asked on a connection of its own: the pool's may all be busy
 * with a burst (a worker that is only busy is healthy), and one of them may still be connected to
 * a server the URL no longer leads to. Read-only is what a standby answers, and what a former
 * primary answers once it has rejoined as one after a failover.
 */
async function probeHealth(connection: pg.ClientConfig): Promise<StoreHealth> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: HEALTH_PROBE_TIMEOUT_MS, query_timeout: HEALTH_PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query<{ read_only: string }>(`SELECT current_setting('transaction_read_only') AS read_only`);
    if (r.rows[0]!.read_only === 'on') return { ok: false, problem: READ_ONLY_DATABASE };
    return { ok: true };
  } catch (err) {
    const e = err as Error & { code?: string };
    // pg's own timeouts ("timeout expired", "Query read timeout") say less than this does.
    const why = !e.code && /timeout/i.test(e.message) ? `no answer within ${HEALTH_PROBE_TIMEOUT_MS / 1000} s` : errorText(e);
    return { ok: false, problem: `the database cannot be reached: ${why}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The pool Kysely takes its connections from: each client sends a statement text kept prepared
 * (`keepPrepared`) under its name, so that pg parses and plans it once per connection (pg keeps
 * the names each connection has prepared); every other statement goes as it always did.
 */
function namingPool(pool: pg.Pool, names: ReadonlyMap<string, string>): PostgresPool {
  // One wrapper per pooled client: Kysely keeps its connection object by the client it is given.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // Kysely sends (text, parameters), or a cursor when it streams (it does not here).
    query: ((textOrCursor: unknown, values?: readonly unknown[]) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor as pg.Submittable);
      if (COPY_FROM_STDIN.test(textOrCursor)) return copyIn(client, textOrCursor, values);
      const name = names.get(textOrCursor);
      // pg maps the values into a new array of its own: they are passed as they are, not copied.
      return client.query({ ...(name ? { name } : {}), text: textOrCursor, values: (values ?? []) as unknown[] });
    }) as unknown as PostgresPoolClient['query'],
    release: () => client.release(),
  });
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/**
 * `COPY … FROM STDIN` run through Kysely (`executeQuery` with the statement and ONE parameter, the
 * rows in COPY's text format, gateway/store/copy-text.ts) goes as a COPY: Kysely knows only
 * statements with parameters, and ingest's largest writes go faster this way (issue 14).
 */
const COPY_FROM_STDIN = /^COPY [^;]+ FROM STDIN$/;

async function copyIn(client: pg.PoolClient, text: string, values: readonly unknown[] | undefined) {
  const data = values?.[0];
  if (values?.length !== 1 || !(typeof data === 'string' || data instanceof Uint8Array)) throw new TypeError(`${text}: give the rows as one parameter, in COPY's text format`);
  const stream = client.query(copyFrom(text));
  await pipeline(Readable.from([data]), stream);
  return { command: 'COPY', rowCount: stream.rowCount, rows: [] };
}

/** A role's name as SQL takes it: quoted unless plain, as a DBA would type it otherwise. */
function sqlName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A driver's or server's error in one line: its SQLSTATE or socket code, then its message. */
function errorText(e: Error & { code?: string }): string {
  return `${e.code ? `${e.code} ` : ''}${oneLine(e.message)}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
