/**
 * The city bench's fleet: a throw-away PostgreSQL cluster, one Mosquitto, N gateway workers on
 * them (test/pg/workers-support.ts, as the several-workers drill runs them), and devices enrolled
 * through the workers' HTTP API, spread over the workers. With a site's broker a device logs in
 * with its password alone (mqtt.requireKeyProof: false; the broker checks it against the password
 * file the workers write), so devices connect once that file names them all.
 */
import { readFileSync } from 'node:fs';
import { startPgCluster, type PgCluster } from '../../test/support/pg-cluster.js';
import { createDatabase, startMosquitto, workerPool, type Mosquitto, type WorkerPool } from '../../test/pg/workers-support.js';
import type { RunningGateway } from '../lib/gateway-process.js';
import { enrolWithRetry, type EnrolStats } from './city-enrol.js';
import { metricsText, stopWithin } from './pg-throughput.js';
import { sleep, type SimDevice } from './sim-devices.js';

export interface City {
  cluster: PgCluster;
  mosquitto: Mosquitto;
  pool: WorkerPool;
  workers: RunningGateway[];
  /** The workers' database. */
  url: string;
  stop(): Promise<void>;
}

/** Everything started is stopped by `stop()`, and by this function itself if it fails half-way. */
export async function startCity(dir: string, workers: number): Promise<City> {
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => undefined);
    stops.length = 0;
  };
  try {
    const cluster = await startPgCluster();
    stops.push(() => cluster.stop());
    const mosquitto = await startMosquitto(dir);
    stops.push(() => mosquitto.stop());
    const url = await createDatabase(cluster.baseUrl, 'hcp_city');
    const pool = await workerPool(dir, workers, { kind: 'postgres', url, poolSize: 10 }, { requireKeyProof: false, external: mosquitto.external });
    stops.push(() => Promise.all(pool.workers.map((w) => (w ? stopWithin(w) : undefined))).then(() => undefined));
    // Started together, as the drill starts them: migrations run once, under Kysely's advisory lock.
    const running = await Promise.all(Array.from({ length: workers }, (_, i) => pool.start(i)));
    return { cluster, mosquitto, pool, workers: running, url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function passwordFileNames(file: string): Set<string> {
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.split(':')[0]!),
  );
}

export interface EnrolledFleet {
  devices: SimDevice[];
  /** Register or enrol calls the workers answered with an error (then tried again). */
  refused: EnrolStats;
}

/**
 * Enrol `n` devices, spread over the workers (`streams` enrolments at a time on each), then wait
 * until the broker's password file names every one: each enrolment makes its worker rewrite that
 * file from the database, in the background. The workers take turns at it
 * (gateway/broker/broker-password-file.ts), so the file names every device once the last rewrite
 * is done; one that still lacks a device after 10 s fails the bench. Before the turns, two
 * workers' rewrites could land out of order and leave out the device enrolled last, and this
 * bench enrolled more devices until the file named them all.
 */
export async function enrolFleet(city: City, n: number, streams = 2): Promise<EnrolledFleet> {
  const w = city.workers;
  await w[0]!.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  const refused: EnrolStats = { refused: 0, lastError: '' };
  // `streams` enrolments at a time per worker, as hall IT enrolling several devices at once.
  const groups = Array.from({ length: w.length * streams }, (_, g) => g);
  const sizes = groups.map((g) => Math.floor(n / groups.length) + (g < n % groups.length ? 1 : 0));
  const enrolled = await Promise.all(groups.map((g) => enrolWithRetry(w[g % w.length]!, sizes[g]!, `city-w${(g % w.length) + 1}-s${Math.floor(g / w.length) + 1}`, refused)));
  const devices = enrolled.flat();
  const file = city.mosquitto.external.passwordFile as string;
  for (let i = 0; i < 40; i++) {
    const names = passwordFileNames(file);
    if (devices.every((d) => names.has(d.id))) return { devices, refused };
    await sleep(250);
  }
  const names = passwordFileNames(file);
  const missing = devices.filter((d) => !names.has(d.id)).map((d) => d.id);
  throw new Error(`the broker's password file still lacks ${missing.length} of the ${devices.length} devices 10 s after the last enrolment (${missing.slice(0, 5).join(', ')}…)`);
}

/**
 * Each worker's ingest counter of stored records, and its writes that ran again after a
 * serialization failure or a deadlock (hcp_store_write_retries_total, all SQLSTATEs): a count that
 * climbs with the load is time presses waited (docs/POSTGRES.md, "Which worker").
 */
export async function workerCounters(city: City): Promise<Array<{ stored: number; retries: number }>> {
  return Promise.all(
    city.workers.map(async (gw) => {
      const text = await metricsText(gw);
      const retries = [...text.matchAll(/^hcp_store_write_retries_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      return { stored: Number(/^hcp_ingest_records_stored_total (\d+)/m.exec(text)?.[1] ?? 0), retries };
    }),
  );
}
