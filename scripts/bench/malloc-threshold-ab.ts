/**
 * What glibc's malloc settings do to the gateway (deploy/systemd/hcp-gateway.service sets
 * MALLOC_MMAP_THRESHOLD_, docs/OPERATIONS.md "Memory"): the built gateway run as the unit runs it,
 * with only the MALLOC_* variables changed, the settings alternated round by round on one data
 * directory. Printed per setting and
 * round: RSS 2 s after 1,000 devices connected to a freshly started gateway (the scrypt logins'
 * buffers are what the setting is for), then ratings/s stored and acked for a 100,000-rating burst
 * from 50 devices (every batch of 500 is a few hundred KiB, above a small threshold).
 * Usage: npx tsx scripts/bench/malloc-threshold-ab.ts [setting …]   (about 10 minutes for 3 settings)
 *   a setting: MALLOC_* assignments joined by commas (MALLOC_MMAP_THRESHOLD_=131072,MALLOC_TRIM_THRESHOLD_=33554432),
 *   or "none" (glibc's defaults); by default the unit's, a 4 MiB threshold, and none.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { makeBatches } from './pg-throughput.js';
import { fmt, median } from './rounds.js';
import { connectAll, disconnectAll, enrolDevices, pushBatches, sleep } from './sim-devices.js';

const ROUNDS = 3;
const RATINGS = 100_000;
const settings = process.argv.length > 2 ? process.argv.slice(2) : ['MALLOC_MMAP_THRESHOLD_=131072', 'MALLOC_MMAP_THRESHOLD_=4194304', 'none'];
const ack = (id: string) => deviceTopic(id, 'ack');
const vmRss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const program = await buildGatewayForBench();
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const envOf = (setting: string): Record<string, string> => {
  const env = Object.fromEntries(Object.entries(unit).filter(([k]) => !k.startsWith('MALLOC_')));
  if (setting === 'none') return env;
  for (const pair of setting.split(',')) {
    const [k, v] = pair.split('=');
    if (!k?.startsWith('MALLOC_') || !v) throw new Error(`a setting is MALLOC_*=value pairs joined by commas, or "none": not "${setting}"`);
    env[k] = v;
  }
  return env;
};
const dir = mkdtempSync(join(tmpdir(), 'malloc-ab-'));
const configFile = writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' });
const dataDir = join(dir, 'gw', 'data');
let gw = await startGateway(configFile, dataDir, { program, env: unit });
await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
console.log('enrolling 1,000 simulated devices (scrypt per device, as in production) …');
const all = await enrolDevices(gw, 1000, 'dev-malloc');
const burst = all.slice(0, 50);
await gw.stop();

const results = new Map(settings.map((s) => [s, { rss: [] as number[], rate: [] as number[] }]));
for (let r = 0; r < ROUNDS; r++)
  for (const setting of r % 2 ? [...settings].reverse() : settings) {
    gw = await startGateway(configFile, dataDir, { program, env: envOf(setting) });
    await sleep(1000);
    await connectAll(gw.mqttUrl, all, gw, ack);
    await sleep(2000);
    const rss = vmRss(gw.child.pid!);
    await disconnectAll(all);
    const made = makeBatches(burst, RATINGS);
    await connectAll(gw.mqttUrl, burst, gw, ack);
    const t0 = performance.now();
    await pushBatches(burst, made.batches, (d) => deviceTopic(d.id, 'records'), true);
    const rate = RATINGS / ((performance.now() - t0) / 1000);
    await disconnectAll(burst);
    await gw.stop();
    results.get(setting)!.rss.push(rss);
    results.get(setting)!.rate.push(rate);
    console.log(`  round ${r + 1}, ${setting}: RSS ${rss.toFixed(1)} MiB with 1,000 devices; ${fmt(rate)} ratings/s from 50 devices`);
  }
console.log(`\nmedians over ${ROUNDS} rounds:`);
for (const [setting, x] of results) console.log(`  ${setting.padEnd(64)} RSS ${median(x.rss).toFixed(1)} MiB | ${fmt(median(x.rate))} ratings/s`);
process.exit(0);
