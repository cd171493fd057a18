/**
 * A throw-away PostgreSQL cluster for the tests: Debian's PostgreSQL run as the `postgres` user
 * (initdb refuses root) in a temp folder it owns, on a free loopback port, trust auth for loopback
 * only, fsync on (the gateway is a durability system: the tests run it as a site would). One
 * cluster serves a whole run (test/pg/global-setup.ts starts it and passes HCP_TEST_PG_URL down);
 * a file run alone starts its own and removes it when its process exits. Each test database is
 * created on first use (CREATE DATABASE), so files and stores never share data.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Debian's newest installed PostgreSQL (15 on bookworm), or HCP_PG_BIN. */
function postgresBin(): string {
  if (process.env.HCP_PG_BIN) return process.env.HCP_PG_BIN;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed (apt-get install postgresql; scripts/setup.sh)');
  return `/usr/lib/postgresql/${newest}/bin`;
}
const BIN = postgresBin();

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT: the server, no database. */
  baseUrl: string;
  /** The server's log (profiling scripts read its slow statements and checkpoints). */
  logFile: string;
  /** The cluster's data folder (its postmaster.pid names the server's process, for CPU figures). */
  dataDir: string;
  /** The folder of the server's Unix socket (socketUrl). */
  socketDir: string;
  stop(): void;
}

/** `database` on `cluster` over its Unix socket instead of TCP on loopback: a url the gateway's config takes. */
export function socketUrl(cluster: Pick<PgCluster, 'baseUrl' | 'socketDir'>, database: string): string {
  return `postgres://postgres@/${database}?host=${cluster.socketDir}&port=${new URL(cluster.baseUrl).port}`;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** initdb refuses root: as root, run the server as `postgres`; as anyone else, as that user. */
const AS_ROOT = process.getuid?.() === 0;

function asPostgres(args: string[]): void {
  const r = AS_ROOT ? spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' }) : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args[0]} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/**
 * Start a cluster; `stop()` stops it and removes its folder. `standbyOf`: instead of a new cluster,
 * a hot standby of that one (pg_basebackup of it, following its WAL): it answers every session
 * read-only, as a replica or a former primary after a failover does.
 */
export async function startPgCluster(o: { standbyOf?: PgCluster } = {}): Promise<PgCluster> {
  const root = mkdtempSync(join(tmpdir(), 'hcp-pg-'));
  const owner = (file: string) => {
    if (!AS_ROOT) return;
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(file, id('-u'), id('-g'));
  };
  owner(root);
  chmodSync(root, 0o700);
  const data = join(root, 'data');
  // The C collation sorts text by bytes, as SQLite does: ISO times and ids order the same on both.
  if (o.standbyOf) {
    const primary = new URL(o.standbyOf.baseUrl);
    asPostgres([`${BIN}/pg_basebackup`, '-D', data, '-h', primary.hostname, '-p', primary.port, '-U', 'postgres', '-R', '--no-sync']);
    // Its copy of postgresql.conf includes the primary's extra.conf (its port, its socket): its own instead, below.
    asPostgres(['sed', '-i', '/^include /d', `${data}/postgresql.conf`]);
  } else asPostgres([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const conf = [
    `listen_addresses = '127.0.0.1'`,
    `port = ${port}`,
    `unix_socket_directories = '${root}'`,
    'fsync = on',
    'synchronous_commit = on',
    'max_connections = 200',
    'shared_buffers = 64MB',
  ].join('\n');
  writeFileSync(join(root, 'extra.conf'), `${conf}\n`);
  owner(join(root, 'extra.conf'));
  asPostgres(['sh', '-c', `echo "include '${root}/extra.conf'" >> ${data}/postgresql.conf`]);
  // Replication too, on loopback alone: a standby of this cluster (standbyOf) copies and follows it.
  writeFileSync(join(data, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\nlocal all all trust\nhost replication all 127.0.0.1/32 trust\n');
  asPostgres([`${BIN}/pg_ctl`, '-D', data, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start']);
  // Whatever ends this process (a worker killed at the end of a run, kill -9), the cluster goes
  // with it: a watchdog stops it and removes its folder once this process is gone.
  const stopCommand = `${AS_ROOT ? 'runuser -u postgres -- ' : ''}${BIN}/pg_ctl -D ${data} -m immediate -w stop`;
  spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stopCommand} >/dev/null 2>&1; rm -rf ${root}`], {
    detached: true,
    stdio: 'ignore',
  }).unref();
  let stopped = false;
  return {
    baseUrl: `postgres://postgres@127.0.0.1:${port}`,
    logFile: join(root, 'server.log'),
    dataDir: data,
    socketDir: root,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        /* already stopped: the folder goes anyway */
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

let own: Promise<PgCluster> | null = null;

/** The run's cluster (HCP_TEST_PG_URL), or one of this process's own, stopped when it is gone. */
export function testClusterUrl(): Promise<string> {
  if (process.env.HCP_TEST_PG_URL) return Promise.resolve(process.env.HCP_TEST_PG_URL);
  own ??= startPgCluster();
  return own.then((c) => c.baseUrl);
}

/**
 * The url of a test database for `key` (a store file's path, a gateway's data dir), created on
 * first use: the same key gives the same database, so a test that reopens a store finds its data.
 */
export async function testDatabaseUrl(key: string): Promise<string> {
  const base = await testClusterUrl();
  const name = `hcp_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return `${base}/${name}`;
}

/** Whether this run puts the gateway's store on PostgreSQL (HCP_TEST_STORE=postgres). */
export function testStoreIsPostgres(): boolean {
  return process.env.HCP_TEST_STORE === 'postgres';
}

/**
 * Take `database` away as a dropped one is, while a worker runs on it: no new session first (a pool
 * reconnecting between the end of its sessions and the rename would make the rename fail), its
 * sessions ended, then renamed, so that every new session gets 3D000. `back()` ends whatever
 * reached the renamed one and renames it back.
 */
export async function takeDatabaseAway(admin: pg.Client, database: string): Promise<() => Promise<void>> {
  const away = `${database}_away`;
  const endSessions = (name: string) => admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
  await endSessions(database);
  await admin.query(`ALTER DATABASE ${database} RENAME TO ${away}`);
  await admin.query(`ALTER DATABASE ${away} ALLOW_CONNECTIONS true`);
  return async () => {
    await endSessions(away);
    await admin.query(`ALTER DATABASE ${away} RENAME TO ${database}`);
  };
}
