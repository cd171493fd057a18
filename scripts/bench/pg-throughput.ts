/**
 * The PostgreSQL half of `npm run bench:gateway` (issue 14, "on both stores"): a throw-away
 * PostgreSQL cluster (fsync on, synchronous_commit on), ONE gateway process on it (embedded aedes,
 * every check on, as the SQLite figures), devices enrolled through its HTTP API (`startPgBench`).
 * Its throughput part: for each device count the ratings/s stored and acked next to the raw batched
 * insert of the same rows into a fresh database of the same cluster (scripts/bench/raw-postgres.ts),
 * interleaved over rounds. bench-gateway.ts runs its latency, backlog and memory parts on this
 * gateway as on the SQLite one. `stop()` stops everything it started, the cluster included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { deviceTopic, type ChainRecord } from '@hcp/contract';
import { socketUrl, startPgCluster } from '../../test/support/pg-cluster.js';
import { createDatabase } from '../../test/pg/workers-support.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../lib/gateway-process.js';
import { connectDevices, type ConnectStats } from './city-connect.js';
import { enrolWithRetry, type EnrolStats } from './city-enrol.js';
import { rawPostgresInsert } from './raw-postgres.js';
import { printQuietWaits } from './quiet-machine.js';
import { fmt, interleaveEach, median, ratios, ratioText } from './rounds.js';
import { BATCH, DEVICE_IN_FLIGHT, disconnectAll, makeRecords, pushBatches, type SimDevice } from './sim-devices.js';

const ackTopic = (id: string) => deviceTopic(id, 'ack');
const recordsTopic = (d: SimDevice) => deviceTopic(d.id, 'records');

/** The next `total` ratings of `devices` as batches of at most BATCH (made and signed before any clock starts). */
export function makeBatches(devices: SimDevice[], total: number): { batches: Map<string, string[]>; records: ChainRecord[] } {
  const perDevice = total / devices.length;
  const size = Math.min(BATCH, perDevice);
  const records: ChainRecord[] = [];
  const batches = new Map(
    devices.map((d) => [
      d.id,
      Array.from({ length: perDevice / size }, () => {
        const rs = makeRecords(d, size);
        records.push(...rs);
        return JSON.stringify({ batchId: uuidv7(), deviceId: d.id, records: rs });
      }),
    ]),
  );
  return { batches, records };
}

/**
 * Ratings/s stored and acked: `devices` connected (not timed), each sending its batches with 2 in
 * flight. Refused nonces and connections are tried again, as a device would, and added to `refusals`.
 */
export async function gatewayRate(
  gw: RunningGateway,
  devices: SimDevice[],
  batches: Map<string, string[]>,
  total: number,
  refusals: ConnectStats,
  maxInFlight = DEVICE_IN_FLIGHT,
): Promise<number> {
  const stats = await connectDevices(gw.mqttUrl, devices, { http: gw.http, ackTopic });
  refusals.nonceRefused += stats.nonceRefused;
  refusals.connectRefused += stats.connectRefused;
  const t0 = performance.now();
  await pushBatches(devices, batches, recordsTopic, true, maxInFlight);
  const rate = total / ((performance.now() - t0) / 1000);
  await disconnectAll(devices);
  return rate;
}

/** The gateway's /metrics, as Prometheus reads them. */
export const metricsText = async (gw: Pick<RunningGateway, 'http'>): Promise<string> => (await fetch(`${gw.http}/metrics`)).text();

/** The writes the gateway ran again so far (a serialization failure or deadlock, then a random back-off), by SQLSTATE, from its /metrics. */
export async function writeRetries(gw: Pick<RunningGateway, 'http'>): Promise<Record<string, number>> {
  const text = await metricsText(gw);
  return Object.fromEntries([...text.matchAll(/^hcp_store_write_retries_total\{[^}]*sqlstate="([^"]+)"\} (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/** The gateway's ingest groups so far and their seconds by phase (gateway/ingest/group-phases.ts), from its /metrics. */
export async function groupPhases(gw: Pick<RunningGateway, 'http'>): Promise<{ groups: number; seconds: Record<string, number> }> {
  const text = await metricsText(gw);
  const groups = Number(/^hcp_ingest_groups_total (\S+)$/m.exec(text)?.[1] ?? 0);
  const seconds = Object.fromEntries([...text.matchAll(/^hcp_ingest_group_seconds_total\{phase="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
  return { groups, seconds };
}

/** What a group took on average between two readings of groupPhases, in ms by phase: "check 1.38, begin 1.71, … ; 23.40 in all over 200 groups". */
export function groupPhasesText(before: Awaited<ReturnType<typeof groupPhases>>, after: Awaited<ReturnType<typeof groupPhases>>): string {
  const n = after.groups - before.groups;
  if (n <= 0) return 'no group committed';
  const ms = Object.entries(after.seconds).map(([phase, s]) => [phase, ((s - (before.seconds[phase] ?? 0)) * 1000) / n] as const);
  return `${ms.map(([phase, m]) => `${phase} ${m.toFixed(2)}`).join(', ')}; ${ms.reduce((t, [, m]) => t + m, 0).toFixed(2)} in all, over ${n} group${n === 1 ? '' : 's'}`;
}

/** SIGTERM, and SIGKILL if the process has not gone after `ms`. */
export async function stopWithin(gw: RunningGateway, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gw.stop(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
  await gw.kill9();
}

export interface PgBenchOptions {
  /** Devices to enrol. */
  devices: number;
  /** A built gateway/main.js to run with node (scripts/bench/built-gateway.ts); default: the source under tsx. */
  program?: string;
  /** The gateway's environment as the systemd unit gives it (serviceEnvironment; startGateway's `unitEnv`). */
  unitEnv?: Record<string, string>;
  /** The gateway on the cluster's Unix socket instead of TCP on loopback. */
  socket?: boolean;
  log?: (line: string) => void;
}

export interface PgBench {
  gw: RunningGateway;
  devices: SimDevice[];
  /** The cluster, for raw inserts into databases of their own. */
  baseUrl: string;
  /** The cluster's server log. */
  logFile: string;
  /** The cluster's data folder. */
  dataDir: string;
  /** The gateway's last log lines, then everything stopped. */
  stop(failed?: boolean): Promise<void>;
}

export async function startPgBench(o: PgBenchOptions): Promise<PgBench> {
  const log = o.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), 'bench-gw-pg-'));
  const cluster = await startPgCluster();
  let gw: RunningGateway | null = null;
  const stop = async (failed = false) => {
    if (gw && failed) log(`the PostgreSQL gateway's last log lines:\n${gw.stderr().slice(-4000)}`);
    if (gw) await stopWithin(gw);
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const tcpUrl = await createDatabase(cluster.baseUrl, 'hcp_bench_gateway');
    const url = o.socket ? socketUrl(cluster, 'hcp_bench_gateway') : tcpUrl;
    const configFile = writeGatewayConfig(join(dir, 'gw'), { logLevel: 'warn', store: { kind: 'postgres', url, poolSize: 10 } });
    gw = await startGateway(configFile, join(dir, 'gw', 'data'), { ...(o.program ? { program: o.program } : {}), ...(o.unitEnv ? { unitEnv: o.unitEnv } : {}) });
    await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
    const enrolRefused: EnrolStats = { refused: 0, lastError: '' };
    const devices = await enrolWithRetry(gw, o.devices, 'dev-pg-bench', enrolRefused);
    if (enrolRefused.refused) log(`  (enrolling, not timed: ${enrolRefused.refused} calls answered with an error, then made again; last: ${enrolRefused.lastError.slice(0, 160)})`);
    return { gw, devices, baseUrl: cluster.baseUrl, logFile: cluster.logFile, dataDir: cluster.dataDir, stop };
  } catch (err) {
    await stop(true);
    throw err;
  }
}

export interface PgThroughputOptions {
  rounds: number;
  /** Ratings per measurement (divisible by each device count). */
  ratings: number;
  deviceCounts: number[];
  log?: (line: string) => void;
}

export interface PgThroughputRow {
  devices: number;
  /** Per round: ratings/s stored and acked, and the raw insert's rows/s. */
  gateway: number[];
  raw: number[];
}

export async function pgThroughput(bench: PgBench, o: PgThroughputOptions): Promise<PgThroughputRow[]> {
  const log = o.log ?? ((line: string) => console.log(line));
  log(
    `\nthroughput on PostgreSQL (one gateway process, throw-away cluster, fsync and synchronous_commit on): ${fmt(o.ratings)} ratings stored and acked vs the raw insert of the same rows (COPY of ${BATCH} rows per transaction)`,
  );
  const out: PgThroughputRow[] = [];
  const refusals: ConnectStats = { nonceRefused: 0, connectRefused: 0 };
  for (const n of o.deviceCounts) {
    const devices = bench.devices.slice(0, n);
    const r = await interleaveEach(
      o.rounds,
      () => makeBatches(devices, o.ratings),
      (made) => gatewayRate(bench.gw, devices, made.batches, o.ratings, refusals),
      (made) => rawPostgresInsert(bench.baseUrl, made.records),
    );
    out.push({ devices: n, gateway: r.figure, raw: r.baseline });
    log(
      `  ${String(n).padStart(3)} devices: ${fmt(median(r.figure)).padStart(6)} ratings/s | raw insert ${fmt(median(r.baseline)).padStart(7)} rows/s | ratio ${ratioText(ratios(r))}  (target ≥ 0.5×)`,
    );
    printQuietWaits(log);
  }
  if (refusals.nonceRefused + refusals.connectRefused > 0)
    log(
      `  (connecting, not timed: ${refusals.nonceRefused} nonce requests answered with an error and ${refusals.connectRefused} MQTT logins refused, each tried again as a device would)`,
    );
  return out;
}
