/**
 * Gateway benchmark (issues 3 and 14). A real gateway process, built and run with plain node as
 * hall IT runs it (scripts/bench/built-gateway.ts) (embedded aedes, every check on:
 * schema, identity, hash chain, head signature, one-transaction commit, app-level ack) and an
 * in-process load generator of simulated devices speaking MQTT on loopback. Each figure is measured
 * interleaved with its baseline over BENCH_ROUNDS rounds (scripts/bench/rounds.ts); printed: medians
 * and the median per-round ratio with its spread.
 *  - ratings/s stored and acked for 1, 50 and 500 devices (100,000 ratings each time) next to the
 *    raw batched better-sqlite3 insert of the same rows; then the same on PostgreSQL (a gateway on a
 *    throw-away cluster next to a COPY of the same rows, as ingest writes a device's batch,
 *    scripts/bench/pg-throughput.ts and raw-postgres.ts);
 *  - on each store, press→ack p50/p99 at a steady 200 ratings/s from 500 devices next to a bare
 *    aedes' QoS 1 PUBACK p50/p99 for the same payloads (on PostgreSQL with the writes that
 *    collided and ran again meanwhile, and the server's COMMITs over 10 ms, autovacuum runs and
 *    checkpoints in its log of those rounds: what in the server can hold an ack back);
 *  - on each store, one device's 100,000-rating backlog, next to the raw insert of the same rows;
 *  - RSS with 1,000 devices connected: on a freshly started gateway (SQLite), and after the loaded
 *    run at once, after 30 s quiet and at its peak (each store).
 * Usage: npm run bench:gateway            (BENCH_ROUNDS=3 by default)
 *        BENCH_PARTS=latency npm run bench:gateway   (any of rss,throughput,latency,backlog; all by default)
 *        LATENCY_DETAIL=1 BENCH_PARTS=latency npm run bench:gateway   (each round's slowest acks beside the load generator's own stalls)
 */
import { fork } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic, type ChainRecord } from '@hcp/contract';
import { steadyLatency, type Latency } from './bench/latency.js';
import { buildGatewayForBench } from './bench/built-gateway.js';
import { makeBatches, pgThroughput, startPgBench, writeRetries } from './bench/pg-throughput.js';
import { type FreshRss, restartedRss, rssWithDevices } from './bench/rss-with-devices.js';
import { endSlowStatementLog, logSlowStatements, serverStallsText } from './bench/pg-server-log.js';
import { rawPostgresInsert } from './bench/raw-postgres.js';
import { rawSqliteInsert } from './bench/raw-sqlite.js';
import { printQuietWaits } from './bench/quiet-machine.js';
import { fmt, interleave, interleaveEach, median, ratios, ratioText } from './bench/rounds.js';
import { BATCH, connectAll, disconnectAll, enrolDevices, pushBatches, rawDevice, type SimDevice } from './bench/sim-devices.js';
import { REPO_ROOT } from './lib/device-process.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from './lib/gateway-process.js';
import { serviceEnvironment } from './lib/systemd-unit.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ALL_PARTS = ['rss', 'throughput', 'latency', 'backlog'];
const PARTS = new Set((process.env.BENCH_PARTS ?? ALL_PARTS.join(',')).split(','));
// A misspelt part would otherwise measure nothing and say nothing.
const unknownParts = [...PARTS].filter((p) => !ALL_PARTS.includes(p));
if (unknownParts.length > 0) throw new Error(`BENCH_PARTS: no such part ${unknownParts.join(', ')} (the parts: ${ALL_PARTS.join(', ')})`);
const RATINGS = 100_000;
/** Quiet time before the after-load RSS is read again. */
const QUIET_MS = 30_000;
/** The server's COMMITs over this long are counted under PostgreSQL's press→ack figure. */
const SERVER_SLOW_MS = 10;
const ackTopic = (id: string) => deviceTopic(id, 'ack');
const recordsTopic = (d: SimDevice) => deviceTopic(d.id, 'records');

/** Ratings/s stored and acked: `devices` connected, each sending its batches with as many in flight as a device keeps. */
async function gatewayRate(gw: RunningGateway, devices: SimDevice[], batches: Map<string, string[]>, total: number): Promise<number> {
  await connectAll(gw.mqttUrl, devices, gw, ackTopic);
  const t0 = performance.now();
  await pushBatches(devices, batches, recordsTopic, true);
  const rate = total / ((performance.now() - t0) / 1000);
  await disconnectAll(devices);
  return rate;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-gw-'));
const configFile = writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' });
console.log('building the gateway as installed (plain JavaScript, run with node) …');
const program = await buildGatewayForBench();
// The environment deploy/systemd/hcp-gateway.service gives the gateway (its Environment= lines):
// every figure is of the gateway as installed. BENCH_UNIT_ENV=0: without it.
const unitEnv = process.env.BENCH_UNIT_ENV === '0' ? {} : serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const unitLabel = Object.entries(unitEnv)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');
console.log(`the gateway runs as hcp-gateway.service runs it: node gateway/main.js, ${unitLabel || 'no environment'}`);
let gw = await startGateway(configFile, join(dir, 'gw', 'data'), { program, unitEnv });
await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
console.log('enrolling 1,000 simulated devices through the HTTP API, as in production …');
const all = await enrolDevices(gw, 1000, 'dev-bench');

// RSS with 1,000 devices on a freshly started gateway: what a large hall's idle gateway holds,
// without any tuning and as the unit runs it (docs/OPERATIONS.md, "Memory", says why each setting).
const idleRss: Record<string, number> = {};
if (PARTS.has('rss'))
  for (const [label, env] of [
    ['node and glibc defaults', {}],
    [unitLabel, unitEnv],
  ] as const) {
    // And once the logins' garbage is collected (`quiet`): what a hall's gateway holds all day.
    let connected: FreshRss;
    ({ gw, rss: connected } = await restartedRss(gw, all, QUIET_MS, { unitEnv: env, program }));
    idleRss[label] = connected.quiet;
    console.log(
      `gateway RSS (${label}): ${connected.empty.toFixed(1)} MiB with no device; with ${all.length} devices connected ${connected.atOnce.toFixed(1)} MiB 2 s after they connected, ${connected.quiet.toFixed(1)} MiB after ${QUIET_MS / 1000} s quiet (target ≤ 150 MiB)`,
    );
  }

console.log(`\n${ROUNDS} rounds, each figure interleaved with its baseline; medians, ratio = median of per-round ratios (min–max)`);
console.log(
  `\nthroughput: ${fmt(RATINGS)} ratings stored and acked, every check on, vs the raw batched better-sqlite3 insert of the same rows (batches of ${BATCH}, WAL, synchronous=FULL)`,
);
for (const n of PARTS.has('throughput') ? [1, 50, 500] : []) {
  const devices = all.slice(0, n);
  const r = await interleaveEach(
    ROUNDS,
    () => makeBatches(devices, RATINGS),
    (made) => gatewayRate(gw, devices, made.batches, RATINGS),
    (made) => rawSqliteInsert(made.records),
  );
  console.log(
    `  ${String(n).padStart(3)} devices: ${fmt(median(r.figure)).padStart(6)} ratings/s | raw insert ${fmt(median(r.baseline)).padStart(7)} rows/s | ratio ${ratioText(ratios(r))}  (target ≥ 0.5×)`,
  );
  printQuietWaits();
}

// The same parts on PostgreSQL: a gateway process of its own on a throw-away cluster (scripts/bench/pg-throughput.ts).
const pg = PARTS.has('throughput') || PARTS.has('latency') || PARTS.has('backlog') ? await startPgBench({ devices: 1000, program, unitEnv }) : null;
let failed = true;
try {
  if (pg && PARTS.has('throughput')) await pgThroughput(pg, { rounds: ROUNDS, ratings: RATINGS, deviceCounts: [1, 50, 500] });

  // Steady 200 ratings/s from 500 devices, next to the bare broker's QoS 1 PUBACK for the same traffic.
  if (PARTS.has('latency')) {
    const bare = fork(join(import.meta.dirname, 'lib', 'bare-broker.ts'), [], { execArgv: ['--import', 'tsx'] });
    const barePort = await new Promise<number>((r) => bare.once('message', (m) => r(Number(m))));
    for (const [store, running, enrolled] of [['SQLite', gw, all], ...(pg ? [['PostgreSQL', pg.gw, pg.devices] as const] : [])] as const) {
      const devices = enrolled.slice(500, 1000);
      const bareDevices = devices.map((d) => rawDevice(`bare-${d.id}`));
      await connectAll(running.mqttUrl, devices, running, ackTopic);
      await connectAll(`mqtt://127.0.0.1:${barePort}`, bareDevices, null, ackTopic);
      const retriedBefore = await writeRetries(running);
      // The server's own account of the rounds (PostgreSQL): what in it can hold an ack back.
      if (pg && store === 'PostgreSQL') await logSlowStatements(pg.baseUrl, SERVER_SLOW_MS);
      const serverLogFrom = pg && store === 'PostgreSQL' ? statSync(pg.logFile).size : 0;
      const lat = await interleave(
        ROUNDS,
        () => steadyLatency(devices, 200, 8, true),
        () => steadyLatency(bareDevices, 200, 8, false),
      );
      const retried = Object.entries(await writeRetries(running)).map(([code, n]) => `${code}: ${n - (retriedBefore[code] ?? 0)}`);
      await disconnectAll([...devices, ...bareDevices]);
      const m = (xs: Latency[], k: 'p50' | 'p99') => median(xs.map((x) => x[k])).toFixed(1);
      const [gwLat, bareLat] = [lat.figure, lat.baseline];
      console.log(
        `\npress→ack on ${store} at a steady 200 ratings/s from 500 devices (${gwLat.reduce((n, x) => n + x.count, 0)} acks): p50 ${m(gwLat, 'p50')} ms, p99 ${m(gwLat, 'p99')} ms | bare broker QoS 1: p50 ${m(bareLat, 'p50')} ms, p99 ${m(bareLat, 'p99')} ms | p99 ratio ${ratioText(
          gwLat.map((x, k) => x.p99 / bareLat[k]!.p99),
          1,
        )}  (target p99 ≤ 20 ms)`,
      );
      if (pg && store === 'PostgreSQL') {
        console.log(`  writes the gateway ran again in this phase (a collision, then a random back-off): ${retried.filter((r) => !r.endsWith(': 0')).join(', ') || 'none'}`);
        console.log(`  the server in these rounds: ${serverStallsText(pg.logFile, serverLogFrom, SERVER_SLOW_MS)}`);
        await endSlowStatementLog(pg.baseUrl);
      }
      printQuietWaits();
    }
    bare.kill();
  }

  // One device, a 100,000-rating backlog (a village point back online after weeks).
  if (PARTS.has('backlog'))
    for (const [store, running, d, raw] of [
      ['SQLite', gw, all[0]!, rawSqliteInsert],
      ...(pg ? [['PostgreSQL', pg.gw, pg.devices[0]!, (records: ChainRecord[]) => rawPostgresInsert(pg.baseUrl, records)] as const] : []),
    ] as const) {
      const r = await interleaveEach(
        ROUNDS,
        () => makeBatches([d], RATINGS),
        async (made) => RATINGS / (await gatewayRate(running, [d], made.batches, RATINGS)),
        async (made) => RATINGS / (await raw(made.records)),
      );
      console.log(
        `\none device's ${fmt(RATINGS)}-rating backlog on ${store} acknowledged in ${median(r.figure).toFixed(2)} s (${r.figure.map((x) => x.toFixed(2)).join(', ')}) | raw insert of the same rows ${median(r.baseline).toFixed(2)} s | time ratio ${ratioText(ratios(r))}  (target ≤ 3 s)`,
      );
      printQuietWaits();
    }

  // 1,000 devices connected and subscribed, after the loaded run.
  if (PARTS.has('rss'))
    for (const [store, running, enrolled] of [['SQLite', gw, all], ...(pg ? [['PostgreSQL', pg.gw, pg.devices] as const] : [])] as const) {
      // `quiet`: what a hall's gateway holds between bursts, once V8 has shrunk its heap and the
      // batch-check worker has ended (batch-check-pool.ts).
      const r = await rssWithDevices(running, enrolled, QUIET_MS);
      console.log(
        `\ngateway RSS on ${store} with ${enrolled.length} devices connected, after the loaded run (${unitLabel}): ${r.atOnce.toFixed(1)} MiB at once, ${r.quiet.toFixed(1)} MiB after ${QUIET_MS / 1000} s quiet, peak ${r.peak.toFixed(1)} MiB (target ≤ 150 MiB)`,
      );
    }
  failed = false;
} finally {
  await pg?.stop(failed);
}
await gw.stop();
process.exit(0);
