/**
 * Memory of a gateway with N devices connected (issue 14): RSS, process.memoryUsage() and, with
 * HCP_HEAP_SNAPSHOT=1, a heap snapshot for scripts/bench/summarise-heap.ts. Enrols N devices, restarts the gateway, connects them.
 * The gateway is the built program run as hcp-gateway.service runs it (with the unit's Environment=), as in bench:gateway.
 * With AFTER_LOAD=1 (and QUIET_S, 30 by default): the devices stay QUIET_S seconds before the
 * probe, then take bench:gateway's throughput and backlog load (100,000 ratings from 1, 50 and 500
 * devices, and one device's again), connect again and are probed again after QUIET_S: where the
 * memory a loaded run leaves is (V8's heap spaces, the mappings of smaps.ts).
 * With JEPROF=1: jemalloc's heap profile at each probe (and, without AFTER_LOAD, before the devices
 * connect), and jeprof's allocation sites of what grew between the two: who holds the native memory
 * (jeprof.ts; needs gdb and libjemalloc-dev).
 * Usage: [AFTER_LOAD=1] [JEPROF=1] tsx scripts/bench/rss-probe.ts [devices=0]   (files in /tmp/hcp-prof)
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { REPO_ROOT } from '../lib/device-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { checkJeprofTools, dumpHeapProfile, growthText, jeprofConf } from './jeprof.js';
import { benchGatewayLoad } from './rss-with-devices.js';
import { connectAll, disconnectAll, enrolDevices, sleep } from './sim-devices.js';
import { residentMiB, residentText } from './smaps.js';

const n = Number(process.argv[2] ?? 0);
const JEPROF = process.env.JEPROF === '1';
if (JEPROF) checkJeprofTools();
const profDir = '/tmp/hcp-prof';
mkdirSync(profDir, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'rss-gw-'));
const configFile = writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' });
const program = await buildGatewayForBench();
let gw = await startGateway(configFile, join(dir, 'gw', 'data'), { program });
await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
const devices = await enrolDevices(gw, n, 'dev-rss');
await gw.stop();
const unitEnv = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const env = {
  ...unitEnv,
  NODE_OPTIONS: `${unitEnv.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'heap-probe.mjs')}`.trim(),
  HCP_PROF_DIR: profDir,
  // Passed on from this script's environment: the gateway gets the unit's alone.
  ...(process.env.HCP_HEAP_SNAPSHOT ? { HCP_HEAP_SNAPSHOT: process.env.HCP_HEAP_SNAPSHOT } : {}),
  ...(JEPROF ? { MALLOC_CONF: jeprofConf(profDir) } : {}),
};
gw = await startGateway(configFile, join(dir, 'gw', 'data'), { unitEnv: env, program });
const line = (field: 'VmRSS' | 'RssAnon' | 'RssFile') => residentMiB(gw.child.pid!, field);
await sleep(2000);
const before = line('VmRSS');
const AFTER_LOAD = process.env.AFTER_LOAD === '1';
const QUIET_S = Number(process.env.QUIET_S ?? 30);
let probes = 0;
const heapProfiles: string[] = [];

/** Signal the probe and print what it wrote, with the resident figures and where they are. */
async function probe(what: string): Promise<void> {
  gw.child.kill('SIGWINCH');
  if (JEPROF) heapProfiles.push(dumpHeapProfile(profDir, gw.child.pid!));
  await sleep(process.env.HCP_HEAP_SNAPSHOT ? 20_000 : 1000);
  const base = join(profDir, `gateway-${gw.child.pid}-${probes++}`);
  console.log(
    `${what}: RSS ${line('VmRSS').toFixed(1)} MiB (RssAnon ${line('RssAnon').toFixed(1)}, RssFile ${line('RssFile').toFixed(1)}); by mapping: ${residentText(gw.child.pid!)}`,
  );
  const mib = (v: number) => (v / 1048576).toFixed(1);
  const mem = JSON.parse(readFileSync(`${base}.memory.json`, 'utf8')) as Record<string, number>;
  console.log(
    `  memoryUsage, MiB: ${Object.entries(mem)
      .map(([k, v]) => `${k} ${mib(v)}`)
      .join(', ')}`,
  );
  const spaces = JSON.parse(readFileSync(`${base}.spaces.json`, 'utf8')) as Array<{ space_name: string; space_size: number; space_used_size: number }>;
  console.log(`  V8 spaces (size/used), MiB: ${spaces.map((sp) => `${sp.space_name} ${mib(sp.space_size)}/${mib(sp.space_used_size)}`).join(', ')}`);
}

console.log(`RSS ${before.toFixed(1)} MiB before connecting`);
// Without the load, the profiles to compare are before and after the devices connect: what their logins hold.
if (JEPROF && !AFTER_LOAD) await probe('before connecting');
await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
await sleep(AFTER_LOAD ? QUIET_S * 1000 : 3000);
await probe(`with ${n} devices${AFTER_LOAD ? `, ${QUIET_S} s quiet` : ''}`);
await disconnectAll(devices);
if (AFTER_LOAD) {
  await benchGatewayLoad(gw, devices);
  await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
  await sleep(QUIET_S * 1000);
  await probe(`after the load, with ${n} devices, ${QUIET_S} s quiet`);
  await disconnectAll(devices);
}
if (JEPROF) console.log(`what native memory grew, by allocation site (jeprof, cumulative):\n${growthText(heapProfiles[0]!, heapProfiles[1]!, process.execPath)}`);
await gw.stop();
process.exit(0);
