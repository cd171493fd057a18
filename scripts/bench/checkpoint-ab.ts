/**
 * Where the SQLite store's WAL checkpoints run, A/B (gateway/store/wal-checkpointer.ts): two built
 * gateways run as the unit runs them, one with `store.checkpoints: "thread"` (the default), one
 * with `"in-commits"` (SQLite's own: the commit that crosses 1,000 pages copies the WAL, on the
 * event loop). Each first stores PRELOAD ratings (as bench:gateway's throughput phase leaves a
 * gateway); then, interleaved over ROUNDS on a quiet machine: press→ack p50/p99 at a steady
 * 200 ratings/s from 500 devices for 8 s, and one device's 100,000-record backlog.
 * Usage: PRELOAD=300000 ROUNDS=4 npx tsx scripts/bench/checkpoint-ab.ts   (about 12 minutes)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { steadyLatency } from './latency.js';
import { gatewayRate, makeBatches } from './pg-throughput.js';
import { printQuietWaits } from './quiet-machine.js';
import { fmt, interleave, median, ratioText } from './rounds.js';
import { connectAll, disconnectAll, enrolDevices, pushBatches } from './sim-devices.js';

const PRELOAD = Number(process.env.PRELOAD ?? 300_000);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const BACKLOG = 100_000;
const ack = (id: string) => deviceTopic(id, 'ack');
const program = await buildGatewayForBench();
const env = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));

async function gateway(checkpoints: 'thread' | 'in-commits') {
  const dir = mkdtempSync(join(tmpdir(), `ckpt-ab-${checkpoints}-`));
  const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error', store: { kind: 'sqlite', checkpoints } }), join(dir, 'gw', 'data'), {
    program,
    unitEnv: env,
  });
  await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  const devices = await enrolDevices(gw, 500, `dev-${checkpoints}`);
  const loaders = devices.slice(0, 50);
  await connectAll(gw.mqttUrl, loaders, gw, ack);
  for (let done = 0; done < PRELOAD; done += 100_000)
    await pushBatches(loaders, makeBatches(loaders, Math.min(100_000, PRELOAD - done)).batches, (d) => deviceTopic(d.id, 'records'), true);
  await disconnectAll(loaders);
  const latency = async () => {
    await connectAll(gw.mqttUrl, devices, gw, ack);
    const l = await steadyLatency(devices, 200, 8, true);
    await disconnectAll(devices);
    return l;
  };
  const backlog = async () => {
    const one = devices.slice(0, 1);
    return BACKLOG / (await gatewayRate(gw, one, makeBatches(one, BACKLOG).batches, BACKLOG, { nonceRefused: 0, connectRefused: 0 }));
  };
  return { gw, latency, backlog };
}

console.log(`two gateways, 500 devices each, ${fmt(PRELOAD)} ratings stored first …`);
const [thread, inCommits] = [await gateway('thread'), await gateway('in-commits')];
const lat = await interleave(ROUNDS, thread.latency, inCommits.latency);
const backlog = await interleave(ROUNDS, thread.backlog, inCommits.backlog);
const show = (ls: Array<{ p50: number; p99: number }>) => ls.map((l) => `${l.p50.toFixed(1)}/${l.p99.toFixed(1)}`).join(' ');
console.log(`press→ack p50/p99 ms at 200 ratings/s, each round — checkpoints on a thread: ${show(lat.figure)}; in commits: ${show(lat.baseline)}`);
console.log(
  `median p99: thread ${median(lat.figure.map((l) => l.p99)).toFixed(1)} ms, in commits ${median(lat.baseline.map((l) => l.p99)).toFixed(1)} ms; ratio ${ratioText(lat.figure.map((l, i) => l.p99 / lat.baseline[i]!.p99))}`,
);
console.log(
  `${fmt(BACKLOG)}-record backlog, s: thread ${backlog.figure.map((s) => s.toFixed(2)).join(' ')}; in commits ${backlog.baseline.map((s) => s.toFixed(2)).join(' ')}; ratio ${ratioText(backlog.figure.map((s, i) => s / backlog.baseline[i]!))}`,
);
printQuietWaits();
await thread.gw.stop();
await inCommits.gw.stop();
process.exit(0);
