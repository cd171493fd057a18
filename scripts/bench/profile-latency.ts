/**
 * Profile the gateway's press→ack tail (issue 14): the built gateway, run as the unit runs it, with
 * PRELOAD ratings already stored (as bench:gateway's throughput phase leaves it), then rounds of a
 * steady 200 ratings/s from N devices; the V8 CPU profiler (cpu-profiler.mjs) runs during round
 * PROF_ROUND only. Not a benchmark (the profiler costs time): it finds what holds the event loop.
 * Usage: PRELOAD=900000 PROF_ROUND=0 npx tsx scripts/bench/profile-latency.ts [devices=500] [rounds=2]
 *        npx tsx scripts/bench/busy-stretches.ts /tmp/hcp-prof/gateway-<pid>-0.cpuprofile [min ms=10]
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { steadyLatency } from './latency.js';
import { makeBatches } from './pg-throughput.js';
import { machineBusy } from './quiet-machine.js';
import { connectAll, disconnectAll, enrolDevices, pushBatches, sleep } from './sim-devices.js';

const n = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 2);
const preload = Number(process.env.PRELOAD ?? 0);
const profRound = Number(process.env.PROF_ROUND ?? 0);
const profDir = '/tmp/hcp-prof';
mkdirSync(profDir, { recursive: true });
const ack = (id: string) => deviceTopic(id, 'ack');
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const env = { ...unit, NODE_OPTIONS: `${unit.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'cpu-profiler.mjs')}`.trim(), HCP_PROF_DIR: profDir };
const dir = mkdtempSync(join(tmpdir(), 'prof-lat-'));
const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), { env, program: await buildGatewayForBench() });
await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
const devices = await enrolDevices(gw, n, 'dev-lat');

if (preload > 0) {
  const loaders = await enrolDevices(gw, 50, 'dev-load');
  await connectAll(gw.mqttUrl, loaders, gw, ack);
  for (let done = 0; done < preload; done += 100_000) await pushBatches(loaders, makeBatches(loaders, 100_000).batches, (d) => deviceTopic(d.id, 'records'), true);
  await disconnectAll(loaders);
  // The gateway goes on after the burst (its assessor catches up): start once the machine is quiet.
  const busy: string[] = [];
  for (let s = 0; s < 120; s++) {
    const b = await machineBusy(1000);
    busy.push(`${Math.round(b * 100)}`);
    if (b < 0.1 && s > 3) break;
  }
  console.log(`${preload} ratings stored; then the machine's CPU busy % each second until quiet: ${busy.join(' ')}`);
}
await connectAll(gw.mqttUrl, devices, gw, ack);
await sleep(2000);
for (let r = 0; r < rounds; r++) {
  if (r === profRound) gw.child.kill('SIGUSR2');
  const l = await steadyLatency(devices, 200, 8, true);
  if (r === profRound) gw.child.kill('SIGUSR2');
  console.log(`round ${r}${r === profRound ? ' (profiled)' : ''}: press→ack p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms (${l.count} acks)`);
}
await sleep(1000);
console.log(`profile: ${profDir}/gateway-${gw.child.pid}-0.cpuprofile`);
await disconnectAll(devices);
await gw.stop();
process.exit(0);
