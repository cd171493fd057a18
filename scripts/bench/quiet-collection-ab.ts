/**
 * What the quiet collection (gateway/memory/collect-when-quiet.ts) costs the next burst: two built
 * gateways run as the unit runs them, one without --expose-gc (so without the collection),
 * alternated; before each burst both are left quiet for QUIET_WAIT_MS (17 s), long enough for the
 * first to collect. Printed per round: one device's 100,000-rating burst (ratings/s), then press→ack
 * p50/p99 at a steady 200 ratings/s from 500 devices for 8 s.
 * Usage: npx tsx scripts/bench/quiet-collection-ab.ts   (about 8 minutes)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { REPO_ROOT } from '../lib/device-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { steadyLatency } from './latency.js';
import { makeBatches } from './pg-throughput.js';
import { connectAll, disconnectAll, enrolDevices, pushBatches, sleep } from './sim-devices.js';

const ROUNDS = 4;
const QUIET_WAIT_MS = 17_000;
const ack = (id: string) => deviceTopic(id, 'ack');
const program = await buildGatewayForBench();
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));

async function gateway(label: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), `quiet-ab-${label}-`));
  const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), { program, unitEnv: env });
  await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  const devices = await enrolDevices(gw, 500, `dev-${label}`);
  return { label, gw, devices, made: makeBatches(devices.slice(0, 1), 100_000), burst: [] as number[], latency: [] as string[] };
}

console.log('two gateways, 500 devices each …');
// Only --expose-gc differs: the unit's other node options stay on both.
const withoutGc = (unit.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o && o !== '--expose-gc');
const pair = [await gateway('collecting', unit), await gateway('not-collecting', { ...unit, NODE_OPTIONS: withoutGc.join(' ') })];
for (let r = 0; r < ROUNDS; r++)
  for (const g of r % 2 ? [...pair].reverse() : pair) {
    await sleep(QUIET_WAIT_MS);
    const one = g.devices.slice(0, 1);
    await connectAll(g.gw.mqttUrl, one, g.gw, ack);
    const t0 = performance.now();
    await pushBatches(one, g.made.batches, (d) => deviceTopic(d.id, 'records'), true);
    g.burst.push(100_000 / ((performance.now() - t0) / 1000));
    await disconnectAll(one);
    g.made = makeBatches(one, 100_000);
    await sleep(QUIET_WAIT_MS);
    await connectAll(g.gw.mqttUrl, g.devices, g.gw, ack);
    const l = await steadyLatency(g.devices, 200, 8, true);
    g.latency.push(`${l.p50.toFixed(1)}/${l.p99.toFixed(1)}`);
    await disconnectAll(g.devices);
  }
for (const g of pair) console.log(`${g.label.padEnd(15)} burst ratings/s: ${g.burst.map((x) => Math.round(x)).join(' ')} | press→ack p50/p99 ms: ${g.latency.join(' ')}`);
for (const g of pair) await g.gw.stop();
process.exit(0);
