/**
 * Memory of a gateway with N devices connected (issue 14): RSS, process.memoryUsage() and, with
 * HCP_HEAP_SNAPSHOT=1, a heap snapshot for scripts/bench/summarise-heap.ts. Enrols N devices, restarts the gateway, connects them.
 * The gateway is the built program run as hcp-gateway.service runs it (with the unit's Environment=), as in bench:gateway.
 * Usage: tsx scripts/bench/rss-probe.ts [devices=0]   (files in /tmp/hcp-prof)
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { REPO_ROOT } from '../lib/device-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { connectAll, disconnectAll, enrolDevices, sleep } from './sim-devices.js';

const n = Number(process.argv[2] ?? 0);
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
};
gw = await startGateway(configFile, join(dir, 'gw', 'data'), { env, program });
const status = () => readFileSync(`/proc/${gw.child.pid}/status`, 'utf8');
const line = (f: string) => Number(new RegExp(`${f}:\\s+(\\d+)`).exec(status())![1]) / 1024;
await sleep(2000);
const before = line('VmRSS');
await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
await sleep(3000);
gw.child.kill('SIGWINCH');
await sleep(process.env.HCP_HEAP_SNAPSHOT ? 20_000 : 1000);
const mem = readdirSync(profDir).filter((f) => f.startsWith(`gateway-${gw.child.pid}-`) && f.endsWith('.memory.json'));
console.log(
  `RSS ${before.toFixed(1)} MiB before connecting, ${line('VmRSS').toFixed(1)} MiB with ${n} devices (RssAnon ${line('RssAnon').toFixed(1)}, RssFile ${line('RssFile').toFixed(1)}); memoryUsage (MiB):`,
);
if (mem[0])
  for (const [k, v] of Object.entries(JSON.parse(readFileSync(join(profDir, mem[0]), 'utf8')) as Record<string, number>)) console.log(`  ${k} ${(v / 1048576).toFixed(1)}`);
await disconnectAll(devices);
await gw.stop();
process.exit(0);
