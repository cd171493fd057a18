/**
 * The stretches of a .cpuprofile in which the event loop never went idle for at least `min` ms,
 * each with its samples (CPU the thread got: 0.5 ms each with cpu-profiler.mjs) and the functions
 * most often on the stack in it. A stretch far longer than its samples is time the thread waited
 * inside a call (the disk, a lock) or was not scheduled. Usage: see profile-latency.ts.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx scripts/bench/busy-stretches.ts <file.cpuprofile> [min ms=10]');
const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const minUs = Number(process.argv[3] ?? 10) * 1000;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;

interface Stretch {
  startUs: number;
  endUs: number;
  samples: number[];
}
const stretches: Stretch[] = [];
let t = 0;
let open: Stretch | null = null;
for (const [i, id] of p.samples.entries()) {
  t += p.timeDeltas[i]!;
  if (byId.get(id)!.callFrame.functionName === '(idle)') {
    if (open && t - open.startUs >= minUs) stretches.push({ ...open, endUs: t });
    open = null;
  } else (open ??= { startUs: t, endUs: t, samples: [] }).samples.push(id);
}

console.log(`${stretches.length} stretches of ${minUs / 1000} ms or more without an idle sample`);
for (const s of stretches) {
  const onStack = new Map<string, number>();
  for (const id of s.samples) {
    const seen = new Set<string>();
    for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) {
      const k = label(byId.get(c)!);
      if (!seen.has(k) && !k.startsWith('(root)')) onStack.set(k, (onStack.get(k) ?? 0) + 1);
      seen.add(k);
    }
  }
  console.log(`\nat ${(s.startUs / 1e6).toFixed(2)} s: ${((s.endUs - s.startUs) / 1000).toFixed(1)} ms, ${s.samples.length} samples`);
  for (const [k, count] of [...onStack].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${String(count).padStart(5)}  ${k}`);
}
