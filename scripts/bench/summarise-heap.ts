/** Summarise a V8 .heapsnapshot: self size by node type and constructor/name (top 25). Usage: tsx summarise-heap.ts file */
import { readFileSync } from 'node:fs';

const snap = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
};
const fields = snap.snapshot.meta.node_fields;
const width = fields.length;
const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
const types = snap.snapshot.meta.node_types[0];
const by = new Map<string, { bytes: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + iType]!]!;
  const name = type === 'object' || type === 'native' || type === 'closure' ? snap.strings[snap.nodes[i + iName]!]!.slice(0, 60) : '';
  const key = `${type} ${name}`;
  const size = snap.nodes[i + iSize]!;
  total += size;
  const e = by.get(key) ?? { bytes: 0, count: 0 };
  e.bytes += size;
  e.count += 1;
  by.set(key, e);
}
console.log(`heap ${(total / 1048576).toFixed(1)} MiB`);
for (const [k, v] of [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25))
  console.log(`${(v.bytes / 1048576).toFixed(1).padStart(6)} MiB ${String(v.count).padStart(8)}  ${k}`);
