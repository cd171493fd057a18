/** Summarise a .cpuprofile: self time by function and by file, optionally only samples between `fromSeconds` and `toSeconds`. Usage: tsx summarise-profile.ts file [fromSeconds] [toSeconds] */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
const from = Number(process.argv[3] ?? 0) * 1e6;
const to = Number(process.argv[4] ?? Number.POSITIVE_INFINITY) * 1e6;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<string, number>();
const byFile = new Map<string, number>();
const inclusive = new Map<string, number>();
let t = 0;
let total = 0;
p.samples.forEach((id, i) => {
  t += p.timeDeltas[i]!;
  if (t < from || t > to) return;
  const dt = p.timeDeltas[i]!;
  total += dt;
  const n = byId.get(id)!;
  const f = n.callFrame;
  const short = f.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/main\//, '');
  const key = `${f.functionName || '(anon)'} ${short}:${f.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const file = short.startsWith('nm/')
    ? short
        .split('/')
        .slice(0, short.includes('@') ? 3 : 2)
        .join('/')
    : short || f.functionName;
  byFile.set(file, (byFile.get(file) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const c = byId.get(cur)!.callFrame;
    const k = `${c.functionName || '(anon)'} ${c.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/main\//, '')}:${c.lineNumber}`;
    if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    seen.add(k);
  }
});
const top = (m: Map<string, number>, k: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n');
console.log(`total ${(total / 1e6).toFixed(2)} s sampled\n-- self by function\n${top(self, 30)}\n-- self by file\n${top(byFile, 20)}\n-- inclusive\n${top(inclusive, 40)}`);
