/**
 * City benchmark (issue 14, "a city bench: 3 workers, 5,000 devices, ratings/s and p99"): 3 gateway
 * workers on one PostgreSQL (fsync and synchronous_commit on) and one Mosquitto, the devices
 * enrolled through the workers' HTTP API and connected to Mosquitto with their passwords (a site's
 * broker checks passwords, not key proofs), then, each figure interleaved with its baseline over
 * CITY_ROUNDS rounds (scripts/bench/rounds.ts):
 *  (a) every device sending a backlog at once (CITY_RATINGS in all, in batches as a device makes
 *      them, as many in flight as a device keeps): ratings/s stored and acked, next to the raw batched insert of the same rows;
 *  (b) press→ack p50/p99 at a steady CITY_RATE ratings/s for CITY_SECONDS s, one rating per batch,
 *      spread over all devices, next to a bare Mosquitto's QoS 1 PUBACK p50/p99 for the same traffic;
 * and at the end, that the database holds each rating sent exactly once. Every phase prints its
 * time; the bench stops itself (and everything it started) past 15 minutes.
 * Usage: npm run bench:city
 *        CITY_DEVICES=100 CITY_RATINGS=10000 CITY_RATE=50 CITY_ROUNDS=1 npm run bench:city   (a small run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { deviceTopic } from '@hcp/contract';
import { startBareMosquitto, type BareMosquitto } from './bench/city-bare-mosquitto.js';
import { makeBacklog, pushBacklog, watchRefusals, type Backlog } from './bench/city-backlog.js';
import { connectDevices } from './bench/city-connect.js';
import { enrolFleet, startCity, type City, workerCounters } from './bench/city-fleet.js';
import { steadyLatency, type Latency } from './bench/latency.js';
import { rawPostgresInsert } from './bench/raw-postgres.js';
import { printQuietWaits } from './bench/quiet-machine.js';
import { fmt, interleave, median, ratios, ratioText } from './bench/rounds.js';
import { DEVICE_IN_FLIGHT, rawDevice, sleep, type SimDevice } from './bench/sim-devices.js';

const WORKERS = 3;
const DEVICES = Number(process.env.CITY_DEVICES ?? 5000);
const RATINGS = Number(process.env.CITY_RATINGS ?? 100_000);
const RATE = Number(process.env.CITY_RATE ?? 500);
const SECONDS = Number(process.env.CITY_SECONDS ?? 10);
const ROUNDS = Number(process.env.CITY_ROUNDS ?? 3);
/** A device's own default batch size (device/sync/sync-config.ts). */
const BATCH_SIZE = Number(process.env.CITY_BATCH ?? 200);
const DEADLINE_MS = 15 * 60_000;
const PER_DEVICE = Math.floor(RATINGS / DEVICES);
if (PER_DEVICE < 1) throw new Error('CITY_RATINGS must be at least CITY_DEVICES');

const ackTopic = (id: string) => deviceTopic(id, 'ack');
const started = performance.now();
let phaseStarted = started;
const phase = (what: string) => {
  const now = performance.now();
  console.log(`[${((now - started) / 1000).toFixed(1).padStart(6)} s] ${what} (${((now - phaseStarted) / 1000).toFixed(1)} s)`);
  phaseStarted = now;
};

const dir = mkdtempSync(join(tmpdir(), 'bench-city-'));
let city: City | null = null;
let bare: BareMosquitto | null = null;
const clients: SimDevice[] = [];
const cleanup = async () => {
  for (const d of clients) d.client?.end(true);
  bare?.stop();
  await city?.stop();
  rmSync(dir, { recursive: true, force: true });
};
const deadline = setTimeout(() => {
  console.log(`\nthe city bench ran past ${DEADLINE_MS / 60_000} minutes: stopped`);
  void cleanup().finally(() => process.exit(2));
}, DEADLINE_MS);

let exitCode = 0;
try {
  console.log(
    `city bench: ${WORKERS} gateway workers on one PostgreSQL (throw-away cluster, fsync and synchronous_commit on) and one Mosquitto, ${fmt(DEVICES)} simulated devices; ${ROUNDS} rounds, each figure interleaved with its baseline`,
  );
  city = await startCity(dir, WORKERS);
  phase(`PostgreSQL, Mosquitto and ${WORKERS} workers started`);
  const { devices, refused: enrolRefused } = await enrolFleet(city, DEVICES);
  clients.push(...devices);
  phase(`${fmt(DEVICES)} devices enrolled through the workers' HTTP API, 2 at a time on each`);
  if (enrolRefused.refused)
    console.log(`  ${fmt(enrolRefused.refused)} register/enrol calls answered with an error, then made again (last: ${enrolRefused.lastError.slice(0, 160)})`);
  const conn = await connectDevices(`mqtt://127.0.0.1:${city.mosquitto.port}`, devices, { http: null, ackTopic });
  phase(`${fmt(DEVICES)} devices connected to Mosquitto${conn.connectRefused ? ` (${conn.connectRefused} logins refused, then tried again)` : ''}`);

  // (a) Every device's backlog at once.
  let sent = 0;
  let resent = 0;
  let ackTimeouts = 0;
  let refused = 0;
  // Each round's rows are made (not timed) by whichever of the pair runs first, and both use them:
  // the gateway gets them from the devices, the raw insert straight; none is left unsent.
  let current: Backlog | null = null;
  let uses = 0;
  const roundBacklog = () => (current ??= makeBacklog(devices, PER_DEVICE, BATCH_SIZE));
  const used = () => {
    if (++uses % 2 === 0) current = null;
  };
  const batchSize = roundBacklog().batchSize;
  const total = roundBacklog().records.length;
  const cityDb = city;
  const a = await interleave(
    ROUNDS,
    async () => {
      const b = roundBacklog();
      const r = await pushBacklog(devices, b);
      used();
      sent += b.records.length;
      resent += r.resent;
      ackTimeouts += r.ackTimeouts;
      refused += r.refused;
      return total / r.seconds;
    },
    async () => {
      const rate = await rawPostgresInsert(cityDb.cluster.baseUrl, roundBacklog().records);
      used();
      return rate;
    },
  );
  console.log(
    `\nbacklog: ${fmt(DEVICES)} devices × ${fmt(PER_DEVICE)} ratings (batches of ${batchSize}, ${DEVICE_IN_FLIGHT} in flight) = ${fmt(total)} ratings: ${fmt(median(a.figure))} ratings/s stored and acked by ${WORKERS} workers (${a.figure.map(fmt).join(', ')}) | raw insert ${fmt(median(a.baseline))} rows/s | ratio ${ratioText(ratios(a))}`,
  );
  console.log(
    `  batches sent again, as a device does: ${fmt(resent)} (after a chain-gap ack — a device's batches taken by two workers out of order — or after 10 s without an ack: ${fmt(ackTimeouts)} times); records refused: ${refused}`,
  );
  printQuietWaits();
  phase('backlog phase');

  // (b) Press→ack at a steady rate, next to a bare Mosquitto's PUBACK.
  if (DEVICES < RATE * SECONDS) console.log(`  note: ${fmt(RATE * SECONDS)} ratings from ${fmt(DEVICES)} devices: some devices rate more than once a round`);
  bare = await startBareMosquitto(dir);
  const bareDevices = devices.map((d) => rawDevice(`bare-${d.id}`));
  clients.push(...bareDevices);
  await connectDevices(bare.url, bareDevices, { http: null, ackTopic: null });
  phase(`${fmt(DEVICES)} more clients connected to a bare Mosquitto (the baseline)`);
  const refusals = watchRefusals(devices);
  const lat = await interleave(
    ROUNDS,
    () => steadyLatency(devices, RATE, SECONDS, true),
    () => steadyLatency(bareDevices, RATE, SECONDS, false),
  );
  sent += RATE * SECONDS * ROUNDS;
  const refusingAcks = refusals();
  const m = (xs: Latency[], k: 'p50' | 'p99') => median(xs.map((x) => x[k])).toFixed(1);
  console.log(
    `\npress→ack at a steady ${fmt(RATE)} ratings/s for ${SECONDS} s, one rating per batch, over ${fmt(DEVICES)} devices (${fmt(lat.figure.reduce((s, x) => s + x.count, 0))} acks of ${fmt(RATE * SECONDS * ROUNDS)} sent): p50 ${m(lat.figure, 'p50')} ms, p99 ${m(lat.figure, 'p99')} ms | bare Mosquitto QoS 1 PUBACK: p50 ${m(lat.baseline, 'p50')} ms, p99 ${m(lat.baseline, 'p99')} ms | p99 ratio ${ratioText(
      lat.figure.map((x, i) => x.p99 / lat.baseline[i]!.p99),
      1,
    )}  (target p99 ≤ 20 ms)`,
  );
  if (refusingAcks)
    console.log(`  ${fmt(refusingAcks)} of those acks refused their rating (a chain gap: the device's previous rating taken by another worker and not yet committed)`);
  printQuietWaits();
  phase('latency phase');

  // Exactly once: every rating sent is in the database, once.
  const db = new pg.Client({ connectionString: city.url });
  await db.connect();
  const count = async () => (await db.query<{ n: number; d: number }>('SELECT COUNT(*)::int AS n, COUNT(DISTINCT id)::int AS d FROM records')).rows[0]!;
  let c = await count();
  for (let last = -1, still = 0; c.n !== sent && still < 20; c = await count()) {
    still = c.n === last ? still + 1 : 0;
    last = c.n;
    await sleep(500);
  }
  const gaps = (await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM chain_gaps')).rows[0]!.n;
  await db.end();
  const byWorker = await workerCounters(city);
  const once = c.n === sent && c.d === sent;
  console.log(
    `\nin the database: ${fmt(c.n)} records, ${fmt(c.d)} distinct ids, ${fmt(sent)} ratings sent: ${once ? 'each exactly once' : 'NOT exactly once'} | stored per worker ${byWorker.map((w) => fmt(w.stored)).join(' / ')} | writes run again after a serialization failure or deadlock, per worker ${byWorker.map((w) => fmt(w.retries)).join(' / ')} | chain_gaps rows ${fmt(gaps)}`,
  );
  if (!once) exitCode = 1;
  phase('count check');
} catch (err) {
  console.error(err);
  for (const [i, w] of (city?.workers ?? []).entries()) console.error(`worker-${i + 1}'s last log lines:\n${w.stderr().slice(-2000)}`);
  exitCode = 1;
} finally {
  clearTimeout(deadline);
  await cleanup();
}
process.exit(exitCode);
