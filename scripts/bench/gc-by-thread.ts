/**
 * What V8's collections cost each of the gateway's heaps during a burst (issue 14): N devices push
 * their batches into the built gateway, run as the unit runs it, with V8's GC trace on
 * (trace-gc.mjs). Per heap (the main thread's, the checking thread's): scavenges and their pauses,
 * what survived them and what they promoted to the old heap, full collections. Not a benchmark (the
 * trace costs a little): it says which thread's young heap overflows, and by how much.
 * Usage: npx tsx scripts/bench/gc-by-thread.ts [devices=500] [ratings=100000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { cpuByProcess } from './proc-stat.js';
import { BATCH, batchPayload, connectAll, disconnectAll, enrolDevices, pushBatches } from './sim-devices.js';

const n = Number(process.argv[2] ?? 500);
const ratings = Number(process.argv[3] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'gc-by-thread-'));
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), {
  program: await buildGatewayForBench(),
  env: { ...unit, NODE_OPTIONS: `${unit.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'trace-gc.mjs')}`.trim() },
});

interface HeapGc {
  scavenges: number;
  scavengeMs: number;
  survived: number;
  promoted: number;
  full: number;
  fullMs: number;
}
/** The heaps seen collecting before the burst: the main thread's (the checking thread starts with the burst). */
const before = new Set<string>();
const during = new Map<string, HeapGc>();
let counting = false;
const field = (line: string, name: string) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
createInterface({ input: gw.child.stdout! }).on('line', (line) => {
  const heap = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1];
  const kind = / gc=(\w+) /.exec(line)?.[1];
  if (!heap || !kind) return;
  if (!counting) {
    before.add(heap);
    return;
  }
  const g = during.get(heap) ?? { scavenges: 0, scavengeMs: 0, survived: 0, promoted: 0, full: 0, fullMs: 0 };
  if (kind === 's') {
    g.scavenges++;
    g.scavengeMs += field(line, 'pause');
    g.survived += field(line, 'new_space_survived');
    g.promoted += field(line, 'promoted');
  } else {
    g.full++;
    g.fullMs += field(line, 'pause');
  }
  during.set(heap, g);
});

await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
const devices = await enrolDevices(gw, n, 'dev-gc');
const perDevice = Math.max(BATCH * 2, Math.floor(ratings / n / BATCH) * BATCH);
const batches = new Map(devices.map((d) => [d.id, Array.from({ length: perDevice / BATCH }, () => batchPayload(d, BATCH))]));
await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
const threads0 = cpuByProcess(`/proc/${gw.child.pid}/task`);
counting = true;
const t0 = performance.now();
await pushBatches(devices, batches, (d) => deviceTopic(d.id, 'records'), true);
const s = (performance.now() - t0) / 1000;
counting = false;
const threadCpu = [...cpuByProcess(`/proc/${gw.child.pid}/task`)]
  .map(([tid, t]) => [tid, t.s - (threads0.get(tid)?.s ?? 0)] as const)
  .filter(([, used]) => used >= 0.05)
  .sort((a, b) => b[1] - a[1]);
console.log(`${n} devices, ${n * perDevice} ratings in ${s.toFixed(2)} s (${Math.round((n * perDevice) / s)} ratings/s)`);
console.log(`CPU by thread, s: ${threadCpu.map(([tid, used]) => `${tid === gw.child.pid ? 'main' : tid} ${used.toFixed(2)}`).join(', ')}`);
const MiB = 2 ** 20;
for (const [heap, g] of during)
  console.log(
    `${before.has(heap) ? 'main thread' : `heap ${heap}`}: ${g.scavenges} scavenges, ${(g.scavengeMs / 1000).toFixed(2)} s paused, ${(g.survived / MiB).toFixed(0)} MiB survived, ${(g.promoted / MiB).toFixed(0)} MiB promoted; ${g.full} full collections, ${(g.fullMs / 1000).toFixed(2)} s paused`,
  );
await disconnectAll(devices);
await gw.stop();
process.exit(0);
