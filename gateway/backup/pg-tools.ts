/**
 * PostgreSQL's own client programs (pg_dump, pg_restore) for `gateway backup` and `restore` on a
 * PostgreSQL store, and the one query they need (is the database empty?).
 *
 * The password never reaches a command line (another user's `ps` would show it) nor a message: it
 * goes to the program in PGPASSWORD, and anything printed has it cut out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type pg from 'pg';
import { BackupError } from '@hcp/contract/backup-folder';

/** Debian's newest /usr/lib/postgresql/N/bin holding `program` (its version matches a Debian server), else PATH. */
export function findPgProgram(program: 'pg_dump' | 'pg_restore'): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  for (const v of versions.sort((a, b) => Number(b) - Number(a))) {
    const file = join(root, v, 'bin', program);
    if (existsSync(file)) return file;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  throw new BackupError(`${program} is not installed: apt-get install postgresql-client (docs/POSTGRES.md "Backup")`);
}

export interface PgTarget {
  /** The url without its password: safe in an argument list and a message. */
  urlWithoutPassword: string;
  password: string;
  /** host:port/database, for a person. */
  label: string;
}

export function pgTarget(url: string): PgTarget {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { urlWithoutPassword: u.toString(), password, label: `${u.hostname}:${u.port || '5432'}${u.pathname}` };
}

function redact(text: string, t: PgTarget): string {
  return t.password ? text.split(t.password).join('***') : text;
}

/** Run pg_dump or pg_restore against `t`; a failure is one line saying what the program said. */
export function runPgProgram(program: 'pg_dump' | 'pg_restore', args: string[], t: PgTarget): void {
  const r = spawnSync(findPgProgram(program), [...args, `--dbname=${t.urlWithoutPassword}`], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: t.password, PGCONNECT_TIMEOUT: '10' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw new BackupError(`${program} could not run: ${r.error.message}`);
  if (r.status !== 0) {
    const said = redact(`${r.stderr}${r.stdout}`, t).trim().split('\n').slice(-3).join(' | ');
    throw new BackupError(`${program} failed on ${t.label} (exit ${r.status}): ${said}`);
  }
}

/** Run `query` on the configured database; a server that cannot be reached is one line. */
export async function withPgClient<T>(url: string, use: (c: pg.Client) => Promise<T>): Promise<T> {
  const t = pgTarget(url);
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError(`cannot reach the PostgreSQL store ${t.label}: ${redact((err as Error).message, t)}`);
  }
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The tables of the database outside PostgreSQL's own schemas. A gateway that has started once
 * has migrated its tables in, so any table means the database holds (or held) a gateway's data.
 */
export async function userTables(c: pg.Client): Promise<string[]> {
  const r = await c.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
     ORDER BY 1`,
  );
  return r.rows.map((row) => row.name);
}
