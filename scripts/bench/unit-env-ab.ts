/**
 * What a change to the gateway unit's environment does (deploy/systemd/hcp-gateway.service;
 * docs/OPERATIONS.md "Memory" says why each setting is there): the built gateway run as the unit
 * runs it, once with a setting and once with the baseline (the unit as it is, by default), on one
 * SQLite data directory, interleaved over ROUNDS on a quiet machine. Each round, for each side, on
 * a freshly started gateway:
 *   - RSS 2 s after 1,000 devices connected (their logins are a burst of their own);
 *   - ratings/s stored and acked for a 100,000-rating burst from 50 devices, then from 500;
 *   - press→ack p99 at a steady 200 ratings/s from 500 devices for 8 s;
 *   - after one device's 100,000-record backlog too, RSS 2 s after the 1,000 devices connected again
 *     and 30 s later (bench:gateway's after-load figures), with how much of it glibc's main heap
 *     holds (smaps.ts).
 * Each figure is printed per round, then the medians and the median ratio with its spread.
 *
 * A setting is assignments joined by commas, each applied to the unit's environment:
 *   NAME=value     set (replaces the unit's value)
 *   NAME+=value    append to the unit's value, after a space (NODE_OPTIONS+=--max-semi-space-size=8)
 *   -NAME          remove (-MALLOC_MMAP_THRESHOLD_: glibc's default)
 *   unit           the unit as it is
 * Usage: ROUNDS=5 npx tsx scripts/bench/unit-env-ab.ts <setting> [baseline=unit]   (about 2 minutes a round)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { applySetting, serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { steadyLatency } from './latency.js';
import { gatewayRate, makeBatches } from './pg-throughput.js';
import { printQuietWaits } from './quiet-machine.js';
import { residentByMapping } from './smaps.js';
import { rssWithDevices } from './rss-with-devices.js';
import { fmt, interleave, median, ratioText } from './rounds.js';
import { connectAll, disconnectAll, enrolDevices, type SimDevice, sleep } from './sim-devices.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const RATINGS = 100_000;
const [setting, baseline = 'unit'] = process.argv.slice(2);
if (!setting) throw new Error('usage: unit-env-ab.ts <setting> [baseline]: a setting such as NODE_OPTIONS+=--max-semi-space-size=8');
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));

interface Round {
  rss: number;
  rate50: number;
  rate500: number;
  p99: number;
  loadedRss: number;
  quietRss: number;
  quietMallocHeap: number;
}

const program = await buildGatewayForBench();
const dir = mkdtempSync(join(tmpdir(), 'unit-env-ab-'));
const configFile = writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' });
const dataDir = join(dir, 'gw', 'data');
const ack = (id: string) => deviceTopic(id, 'ack');

let all: SimDevice[];
{
  const gw = await startGateway(configFile, dataDir, { program, unitEnv: unit });
  await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  console.log('enrolling 1,000 simulated devices through the HTTP API, as in production …');
  all = await enrolDevices(gw, 1000, 'dev-env');
  await gw.stop();
}

const measure = (env: Record<string, string>) => async (): Promise<Round> => {
  const gw = await startGateway(configFile, dataDir, { program, unitEnv: env });
  try {
    await sleep(1000);
    const rss = (await rssWithDevices(gw, all, 0)).atOnce;
    const rate = async (n: number) => {
      const devices = all.slice(0, n);
      return gatewayRate(gw, devices, makeBatches(devices, RATINGS).batches, RATINGS, { nonceRefused: 0, connectRefused: 0 });
    };
    const [rate50, rate500] = [await rate(50), await rate(500)];
    const steady = all.slice(500);
    await connectAll(gw.mqttUrl, steady, gw, ack);
    const { p99 } = await steadyLatency(steady, 200, 8, true);
    await disconnectAll(steady);
    await rate(1);
    let quietMallocHeap = 0;
    const loaded = await rssWithDevices(gw, all, 30_000, (pid) => (quietMallocHeap = residentByMapping(pid).get('[heap]') ?? 0));
    return { rss, rate50, rate500, p99, loadedRss: loaded.atOnce, quietRss: loaded.quiet, quietMallocHeap };
  } finally {
    await gw.stop();
  }
};

try {
  const r = await interleave(ROUNDS, measure(applySetting(unit, setting)), measure(applySetting(unit, baseline)));
  const rows: Array<[string, keyof Round, (x: number) => string]> = [
    ['RSS 2 s after 1,000 devices connected, MiB', 'rss', (x) => x.toFixed(1)],
    ['ratings/s from 50 devices', 'rate50', fmt],
    ['ratings/s from 500 devices', 'rate500', fmt],
    ['press→ack p99 at 200 ratings/s, ms', 'p99', (x) => x.toFixed(1)],
    ['after that load, RSS 2 s after 1,000 devices connected, MiB', 'loadedRss', (x) => x.toFixed(1)],
    ['… and 30 s later, MiB', 'quietRss', (x) => x.toFixed(1)],
    ["… of which glibc's main heap ([heap]), MiB", 'quietMallocHeap', (x) => x.toFixed(1)],
  ];
  console.log(`\n"${setting}" against "${baseline}", ${ROUNDS} rounds interleaved (each round's figures, then medians and the median ratio):`);
  for (const [label, k, show] of rows) {
    const a = r.figure.map((x) => x[k]);
    const b = r.baseline.map((x) => x[k]);
    console.log(`  ${label}: ${a.map(show).join(' ')} | ${b.map(show).join(' ')} → ${show(median(a))} vs ${show(median(b))}, ratio ${ratioText(a.map((x, i) => x / b[i]!))}`);
  }
  printQuietWaits();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
