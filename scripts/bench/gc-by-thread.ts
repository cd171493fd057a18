/**
 * What V8's collections cost each of the gateway's heaps during a burst (issue 14): N devices push
 * their batches into the built gateway, run as the unit runs it, with V8's GC trace on
 * (trace-gc.mjs). Per heap (the main thread's, the checking thread's): scavenges and their pauses,
 * what survived them and what they promoted to the old heap, full collections. Not a benchmark (the
 * trace costs a little): it says which thread's young heap overflows, and by how much.
 * Usage: npx tsx scripts/bench/gc-by-thread.ts [devices=500] [ratings=100000]
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { prepareBurst } from './burst.js';
import { cpuByProcess } from './proc-stat.js';
import { sleep } from './sim-devices.js';

const n = Number(process.argv[2] ?? 500);
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
const readTrace = (line: string) => {
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
};
const burst = await prepareBurst({
  devices: n,
  ratings: Number(process.argv[3] ?? 100_000),
  idPrefix: 'dev-gc',
  preload: join(import.meta.dirname, 'trace-gc.mjs'),
  // The main thread's heap is the one that collects before the burst: SIGUSR2 makes sure it does (below).
  env: { HCP_TRACE_GC_MARK: '1' },
  started: (gw) => createInterface({ input: gw.child.stdout! }).on('line', readTrace),
});
const gw = burst.gw;

gw.child.kill('SIGUSR2');
await sleep(300);
const threads0 = cpuByProcess(`/proc/${gw.child.pid}/task`);
counting = true;
const s = await burst.push();
counting = false;
const threadCpu = [...cpuByProcess(`/proc/${gw.child.pid}/task`)]
  .map(([tid, t]) => [tid, t.s - (threads0.get(tid)?.s ?? 0)] as const)
  .filter(([, used]) => used >= 0.05)
  .sort((a, b) => b[1] - a[1]);
console.log(`${n} devices, ${burst.ratings} ratings in ${s.toFixed(2)} s (${Math.round(burst.ratings / s)} ratings/s)`);
console.log(`CPU by thread, s: ${threadCpu.map(([tid, used]) => `${tid === gw.child.pid ? 'main' : tid} ${used.toFixed(2)}`).join(', ')}`);
const MiB = 2 ** 20;
for (const [heap, g] of during)
  console.log(
    `${before.has(heap) ? 'main thread' : `heap ${heap}`}: ${g.scavenges} scavenges, ${(g.scavengeMs / 1000).toFixed(2)} s paused, ${(g.survived / MiB).toFixed(0)} MiB survived, ${(g.promoted / MiB).toFixed(0)} MiB promoted; ${g.full} full collections, ${(g.fullMs / 1000).toFixed(2)} s paused`,
  );
await burst.close();
process.exit(0);
