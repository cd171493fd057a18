/**
 * The parts of the several-workers drill (workers-drill.test.ts): a PostgreSQL cluster of the
 * drill's own (it is restarted mid-run, which a cluster shared with other test files cannot be),
 * Debian's Mosquitto with the password and ACL files the gateway writes, and gateway worker
 * processes sharing one config but for their HTTP port and their worker id.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../scripts/lib/free-port.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../scripts/lib/gateway-process.js';
import { writeMosquittoConf } from '../support/mosquitto-conf.js';

/** Restart a cluster started by test/support/pg-cluster.ts (found through its own data_directory). */
export async function restartPg(baseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await c.connect();
  const data = (await c.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
  await c.end();
  const bin = readFileSync(join(data, 'postmaster.opts'), 'utf8')
    .split(' ')[0]!
    .replace(/\/postgres$/, '');
  // -l: the server's output must not go to this process's pipe (spawnSync would wait for it to close).
  const args = [`${bin}/pg_ctl`, '-D', data, '-l', join(dirname(data), 'server.log'), '-m', 'fast', '-w', '-t', '60', 'restart'];
  const r = process.getuid?.() === 0 ? spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' }) : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg_ctl restart failed: ${r.stderr || r.stdout}`);
}

export async function createDatabase(baseUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await c.connect();
  await c.query(`CREATE DATABASE ${name} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
  await c.end();
  return `${baseUrl}/${name}`;
}

export interface Mosquitto {
  port: number;
  /** The `mqtt.external` section of the workers' config. */
  external: Record<string, unknown>;
  stop(): void;
}

export async function startMosquitto(dir: string): Promise<Mosquitto> {
  const port = await freePort();
  const pidFile = join(dir, 'mosquitto.pid');
  // No use_username_as_clientid here: the workers share the gateway's username and need client ids
  // of their own. A site puts the devices on a listener that forces it and the workers on another
  // (docs/POSTGRES.md "Several workers"); devices here use their id as client id anyway.
  const { conf, passwordFile, aclFile } = writeMosquittoConf(dir, { port, usernameAsClientId: false, maxPacketSize: 1100000 });
  const proc: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  writeFileSync(pidFile, String(proc.pid));
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    external: {
      url: `mqtt://127.0.0.1:${port}`,
      username: 'hcp-gateway',
      password: 'gateway-secret-2026',
      passwordFile,
      aclFile,
      reloadCommand: ['sh', '-c', `kill -HUP "$(cat ${pidFile})"`],
    },
    stop: () => proc.kill('SIGTERM'),
  };
}

export interface WorkerPool {
  dataDir: string;
  httpPorts: number[];
  workers: Array<RunningGateway | null>;
  start(i: number): Promise<RunningGateway>;
  alive(): number[];
}

/** N workers on one config: one data dir (keys are files), one store, one broker; HTTP port and id of their own. */
export async function workerPool(dir: string, n: number, store: Record<string, unknown>, mqtt: Record<string, unknown>): Promise<WorkerPool> {
  const httpPorts = await Promise.all(Array.from({ length: n }, () => freePort()));
  const base = { store, mqtt, logLevel: 'info' };
  const first = writeGatewayConfig(join(dir, 'gw'), { ...base, http: { port: httpPorts[0] } });
  const config = JSON.parse(readFileSync(first, 'utf8')) as Record<string, unknown>;
  const files = httpPorts.map((port, i) => {
    if (i === 0) return first;
    const f = join(dir, 'gw', `gateway-${i + 1}.json`);
    writeFileSync(f, JSON.stringify({ ...config, http: { port } }, null, 2));
    return f;
  });
  const dataDir = config.dataDir as string;
  const pool: WorkerPool = {
    dataDir,
    httpPorts,
    workers: Array.from({ length: n }, () => null),
    async start(i) {
      const w = await startGateway(files[i]!, dataDir, { env: { HCP_WORKER_ID: `worker-${i + 1}` }, logFile: join(dir, `worker-${i + 1}.log`) });
      pool.workers[i] = w;
      return w;
    },
    alive: () => pool.workers.flatMap((w, i) => (w && w.child.exitCode === null && w.child.signalCode === null ? [i] : [])),
  };
  return pool;
}
