/**
 * This checkout's gateway against an older commit's, A/B, on PostgreSQL (STORE=pg, the default) or
 * SQLite: each built as installed and run as the unit runs it, each on a store of its own (its own
 * throw-away cluster on PostgreSQL), with 500 devices. Interleaved over ROUNDS on a quiet machine:
 * press→ack p50/p99 at a steady 200 ratings/s for 8 s with the CPU each rating cost (the gateway,
 * and its PostgreSQL server), 100,000 ratings sent at once by the 500 devices (bench:gateway's
 * 500-device throughput), and one device's 100,000-record backlog (COLD=1: each after 16 s with
 * no batch, so that it starts the checking thread as a backlog after a quiet spell does). With PHASES=fresh (not in the
 * default set: it enrols 1,000 devices instead of 500), the gateway restarted and read as
 * bench:gateway reads a fresh one: RSS 1 s after start, then 2 s after 1,000 devices connected, and
 * 30 s later (rss-with-devices.ts), and how long their logins took and what CPU they cost. PHASES picks some of them (latency, burst, backlog by default; fresh).
 * The older commit is checked out into a temporary worktree and built with its own build script
 * and this checkout's node_modules (so BASE must have the same dependencies). The older build is
 * made first: a failure there costs no gateway start.
 * BASE_IN_FLIGHT=2: the older commit's devices keep that many batches in flight, as a device of
 * that commit did (device/sync maxInFlight; by default as many as this checkout's devices keep).
 * UNIT_SETTING changes this checkout's side's environment (a setting as unit-env-ab.ts takes one);
 * with BASE=HEAD the two sides differ by that setting alone.
 * Usage: BASE=<commit> STORE=pg ROUNDS=5 [PHASES=burst,backlog|fresh] [COLD=1] [BASE_IN_FLIGHT=2] [UNIT_SETTING=…] npx tsx scripts/bench/code-ab.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../lib/gateway-process.js';
import { abEnvironments } from './ab-environments.js';
import { buildGatewayForBench, checkoutForBench } from './built-gateway.js';
import { type Latency, steadyLatency } from './latency.js';
import { gatewayRate, makeBatches, startPgBench, stopWithin } from './pg-throughput.js';
import { procStat, serverCpuSeconds } from './proc-stat.js';
import { printQuietWaits } from './quiet-machine.js';
import { fmt, interleave, median, ratioText } from './rounds.js';
import { type FreshRss, restartedRss } from './rss-with-devices.js';
import { connectAll, DEVICE_IN_FLIGHT, disconnectAll, enrolDevices, inFlightBounds, type SimDevice, sleep } from './sim-devices.js';
import { CHECK_THREAD_IDLE_MS } from '../../gateway/ingest/batch-check-pool.js';

const BASE = process.env.BASE;
if (!BASE) throw new Error('BASE=<commit> is required: the older commit to compare this checkout with');
const STORE = process.env.STORE ?? 'pg';
if (STORE !== 'pg' && STORE !== 'sqlite') throw new Error(`STORE must be pg or sqlite, not ${STORE}`);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BACKLOG = 100_000;
const COLD = process.env.COLD === '1';
const PHASES = new Set((process.env.PHASES ?? 'latency,burst,backlog').split(','));
for (const p of PHASES) if (!['latency', 'burst', 'backlog', 'fresh'].includes(p)) throw new Error(`PHASES: no phase ${p} (latency, burst, backlog, fresh)`);
/** bench:gateway reads a fresh gateway with 1,000 devices; the other phases use the first 500. */
const DEVICES = PHASES.has('fresh') ? 1000 : 500;
const FRESH_QUIET_MS = 30_000;
const ack = (id: string) => deviceTopic(id, 'ack');
/** UNIT_SETTING: this checkout's side runs with the unit's environment changed (systemd-unit.ts applySetting); with BASE=HEAD, an A/B of the setting alone. */
const UNIT_SETTING = process.env.UNIT_SETTING ?? 'unit';
const environments = abEnvironments(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'), UNIT_SETTING);

/** The batches in flight of each side's devices. */
const IN_FLIGHT = { now: DEVICE_IN_FLIGHT, base: inFlightBounds('BASE_IN_FLIGHT', process.env.BASE_IN_FLIGHT)[0]! };

const worktree = checkoutForBench(BASE, 'code-ab');

interface Side {
  latency(): Promise<Latency & { cpuMsPerRating: number }>;
  /** Ratings/s stored and acked, 100,000 sent at once by the 500 devices. */
  burst(): Promise<number>;
  backlog(): Promise<number>;
  /** RSS in MiB of the gateway restarted: 1 s after start, 2 s after the devices connected, 30 s later. */
  fresh(): Promise<FreshRss>;
  stop(): Promise<void>;
}

/** Every side started, stopped at the end whatever happens (a gateway left running would skew the next bench). */
const started: Side[] = [];

async function side(name: string, program: string, unitEnv: Record<string, string>, inFlight: number): Promise<Side> {
  let gw: RunningGateway;
  let devices: SimDevice[];
  let stop: () => Promise<void>;
  // The CPU seconds a round costs: the gateway's, and on PostgreSQL its cluster's (server, backends, helpers).
  const gatewayCpu = () => procStat(`/proc/${gw.child.pid}/stat`)?.cpuSeconds ?? 0;
  let cpuSeconds = gatewayCpu;
  if (STORE === 'pg') {
    const bench = await startPgBench({ devices: DEVICES, program, unitEnv });
    ({ gw, devices } = bench);
    const postmaster = Number(readFileSync(join(bench.dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
    cpuSeconds = () => gatewayCpu() + serverCpuSeconds(postmaster);
    stop = async () => {
      // The fresh phase restarts the gateway: bench.stop() knows only the first process.
      if (gw !== bench.gw) await stopWithin(gw);
      await bench.stop();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), `code-ab-${name}-`));
    gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), { program, unitEnv });
    stop = async () => {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
      devices = await enrolDevices(gw, DEVICES, `dev-${name}`);
    } catch (err) {
      await stop();
      throw err;
    }
  }
  const first500 = () => devices.slice(0, 500);
  const made: Side = {
    async latency() {
      await connectAll(gw.mqttUrl, first500(), gw, ack);
      const before = cpuSeconds();
      const l = await steadyLatency(first500(), 200, 8, true);
      const cpuMsPerRating = ((cpuSeconds() - before) * 1000) / l.count;
      await disconnectAll(first500());
      return { ...l, cpuMsPerRating };
    },
    burst: () => gatewayRate(gw, first500(), makeBatches(first500(), BACKLOG).batches, BACKLOG, { nonceRefused: 0, connectRefused: 0 }, inFlight),
    async backlog() {
      const one = devices.slice(0, 1);
      // COLD=1: as a backlog reaches a gateway that has had no large batch for a while, with its checking thread ended.
      if (COLD) await sleep(CHECK_THREAD_IDLE_MS + 1000);
      return BACKLOG / (await gatewayRate(gw, one, makeBatches(one, BACKLOG).batches, BACKLOG, { nonceRefused: 0, connectRefused: 0 }, inFlight));
    },
    async fresh() {
      let rss: FreshRss;
      ({ gw, rss } = await restartedRss(gw, devices, FRESH_QUIET_MS, { program, unitEnv }));
      return rss;
    },
    stop: () => stop(),
  };
  started.push(made);
  return made;
}

try {
  const base = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', BASE], { encoding: 'utf8' }).trim();
  console.log(`building this checkout and ${base} …`);
  const [oldProgram, nowProgram] = [await buildGatewayForBench(worktree.root), await buildGatewayForBench()];
  if (UNIT_SETTING !== 'unit')
    console.log(
      `this checkout's gateway runs with the unit's environment changed: ${UNIT_SETTING} (${environments.changed.map((k) => `${k}=${environments.now[k] ?? '(removed)'}`).join(', ') || 'no change'})`,
    );
  console.log(`each device keeps ${IN_FLIGHT.now} batches in flight on this checkout's side, ${IN_FLIGHT.base} on ${base}'s`);
  const [now, old] = [await side('now', nowProgram, environments.now, IN_FLIGHT.now), await side('base', oldProgram, environments.base, IN_FLIGHT.base)];
  const show = (ls: Latency[]) => ls.map((l) => `${l.p50.toFixed(1)}/${l.p99.toFixed(1)}`).join(' ');
  const cpu = (ls: Array<{ cpuMsPerRating: number }>) => ls.map((l) => l.cpuMsPerRating.toFixed(2)).join(' ');
  if (PHASES.has('latency')) {
    const lat = await interleave(ROUNDS, now.latency, old.latency);
    console.log(
      `on ${STORE === 'pg' ? 'PostgreSQL' : 'SQLite'}, press→ack p50/p99 ms at 200 ratings/s from 500 devices, each round — this checkout: ${show(lat.figure)}; ${base}: ${show(lat.baseline)}`,
    );
    const m = (ls: Latency[], k: 'p50' | 'p99') => median(ls.map((l) => l[k])).toFixed(1);
    console.log(
      `median p50 ${m(lat.figure, 'p50')} vs ${m(lat.baseline, 'p50')} ms, p99 ${m(lat.figure, 'p99')} vs ${m(lat.baseline, 'p99')} ms; p99 ratio ${ratioText(lat.figure.map((l, i) => l.p99 / lat.baseline[i]!.p99))}`,
    );
    console.log(
      `CPU per rating in those rounds (the gateway${STORE === 'pg' ? ' and its PostgreSQL server' : ''}), ms — this checkout: ${cpu(lat.figure)}; ${base}: ${cpu(lat.baseline)}; ratio ${ratioText(lat.figure.map((l, i) => l.cpuMsPerRating / lat.baseline[i]!.cpuMsPerRating))}`,
    );
  }
  if (PHASES.has('burst')) {
    const burst = await interleave(ROUNDS, now.burst, old.burst);
    console.log(
      `${fmt(BACKLOG)} ratings at once from 500 devices, ratings/s — this checkout: ${burst.figure.map(fmt).join(' ')}; ${base}: ${burst.baseline.map(fmt).join(' ')}; ratio ${ratioText(burst.figure.map((r, i) => r / burst.baseline[i]!))}`,
    );
  }
  if (PHASES.has('backlog')) {
    const backlog = await interleave(ROUNDS, now.backlog, old.backlog);
    console.log(
      `${fmt(BACKLOG)}-record backlog, s — this checkout: ${backlog.figure.map((s) => s.toFixed(2)).join(' ')}; ${base}: ${backlog.baseline.map((s) => s.toFixed(2)).join(' ')}; ratio ${ratioText(backlog.figure.map((s, i) => s / backlog.baseline[i]!))}`,
    );
  }
  if (PHASES.has('fresh')) {
    const fresh = await interleave(ROUNDS, now.fresh, old.fresh);
    for (const [k, what] of [
      ['empty', '1 s after start, no device'],
      ['atOnce', `2 s after ${fmt(DEVICES)} devices connected`],
      ['quiet', `${FRESH_QUIET_MS / 1000} s later`],
    ] as const)
      console.log(
        `restarted gateway's RSS ${what}, MiB — this checkout: ${fresh.figure.map((f) => f[k].toFixed(1)).join(' ')}; ${base}: ${fresh.baseline.map((f) => f[k].toFixed(1)).join(' ')}; median ${median(fresh.figure.map((f) => f[k])).toFixed(1)} vs ${median(fresh.baseline.map((f) => f[k])).toFixed(1)}; ratio ${ratioText(fresh.figure.map((f, i) => f[k] / fresh.baseline[i]![k]))}`,
      );
    for (const [k, what] of [
      ['connectS', `seconds to connect the ${fmt(DEVICES)} devices (their logins)`],
      ['connectCpuS', 'CPU seconds the gateway used meanwhile'],
    ] as const)
      console.log(
        `restarted gateway, ${what} — this checkout: ${fresh.figure.map((f) => f[k].toFixed(2)).join(' ')}; ${base}: ${fresh.baseline.map((f) => f[k].toFixed(2)).join(' ')}; median ${median(fresh.figure.map((f) => f[k])).toFixed(2)} vs ${median(fresh.baseline.map((f) => f[k])).toFixed(2)}; ratio ${ratioText(fresh.figure.map((f, i) => f[k] / fresh.baseline[i]![k]))}`,
      );
  }
  printQuietWaits();
} finally {
  for (const s of started) await s.stop();
  worktree.remove();
}
process.exit(0);
