/**
 * Profile the gateway's ingest (issue 14): N devices push batches into a gateway whose V8 CPU
 * profiler (cpu-profiler.mjs) runs only during the push; STRACE=1 counts its fsyncs and writes
 * instead. Not a benchmark (the profiler slows it): it finds where the time goes.
 * Usage: tsx scripts/bench/profile-ingest.ts [devices=50] [ratings=100000]
 *        tsx scripts/bench/summarise-profile.ts /tmp/hcp-prof/gateway-<pid>-0.cpuprofile
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { BATCH, batchPayload, sleep, connectAll, disconnectAll, enrolDevices, pushBatches } from './sim-devices.js';

const n = Number(process.argv[2] ?? 50);
const ratings = Number(process.argv[3] ?? 100_000);
const profDir = '/tmp/hcp-prof';
mkdirSync(profDir, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'prof-gw-'));
const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), {
  env: { NODE_OPTIONS: `--import ${join(import.meta.dirname, 'cpu-profiler.mjs')}`, HCP_PROF_DIR: profDir },
});
await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
const devices = await enrolDevices(gw, n, 'dev-prof');
const perDevice = Math.max(BATCH * 2, Math.floor(ratings / n / BATCH) * BATCH);
const batches = new Map(devices.map((d) => [d.id, Array.from({ length: perDevice / BATCH }, () => batchPayload(d, BATCH))]));
await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
// STRACE=1: count the gateway's fsyncs during the push instead (strace -c).
const strace = process.env.STRACE
  ? spawn('strace', ['-f', '-c', '-e', 'trace=fsync,fdatasync,pwrite64,write', '-p', String(gw.child.pid)], { stdio: ['ignore', 'inherit', 'inherit'] })
  : null;
if (strace) await sleep(1000);
else gw.child.kill('SIGUSR2');
await sleep(200);
const cpu = () => {
  const f = readFileSync(`/proc/${gw.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const [gwCpu0, ownCpu0] = [cpu(), process.cpuUsage()];
const t0 = performance.now();
await pushBatches(devices, batches, (d) => deviceTopic(d.id, 'records'), true);
const s = (performance.now() - t0) / 1000;
const own = process.cpuUsage(ownCpu0);
console.log(
  `${n} devices, ${n * perDevice} ratings in ${s.toFixed(2)} s: ${Math.round((n * perDevice) / s)} ratings/s; CPU: gateway ${(cpu() - gwCpu0).toFixed(2)} s (all its threads), load generator ${((own.user + own.system) / 1e6).toFixed(2)} s`,
);
if (strace) strace.kill('SIGINT');
else gw.child.kill('SIGUSR2');
await sleep(1000);
await disconnectAll(devices);
await gw.stop();
process.exit(0);
