/**
 * Summarise a .heapprofile (cpu-profiler.mjs with HCP_PROFILE=promoted or allocated): the sampled bytes by allocating function, with
 * the nearest caller of hcp's own code beside it (where in the gateway the allocation comes from).
 * Usage: npx tsx scripts/bench/summarise-promoted.ts file [rows=30]
 */
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}
const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { head: HeapNode };
const rows = Number(process.argv[3] ?? 30);
const where = (f: HeapNode['callFrame']) =>
  `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/(gateway|device|scripts)\//, '$1/')}:${f.lineNumber + 1}`;
const ours = (f: HeapNode['callFrame']) => /\/(gateway|device)\//.test(f.url) && !f.url.includes('node_modules');
const by = new Map<string, number>();
let total = 0;
const walk = (n: HeapNode, stack: HeapNode['callFrame'][]) => {
  const s = [...stack, n.callFrame];
  if (n.selfSize > 0) {
    total += n.selfSize;
    const caller = s.findLast(ours);
    const key = `${where(n.callFrame)}  ←  ${caller ? where(caller) : '(no hcp frame)'}`;
    by.set(key, (by.get(key) ?? 0) + n.selfSize);
  }
  for (const c of n.children) walk(c, s);
};
walk(profile.head, []);
console.log(`${(total / 2 ** 20).toFixed(1)} MiB sampled`);
for (const [k, b] of [...by].sort((a, b) => b[1] - a[1]).slice(0, rows))
  console.log(`${((b / total) * 100).toFixed(1).padStart(5)}%  ${(b / 2 ** 10).toFixed(0).padStart(7)} KiB  ${k}`);
