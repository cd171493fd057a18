/**
 * Summarise a V8 .heapsnapshot: self size by node type and constructor/name (top 25), then the
 * source text V8 keeps of each loaded script, by package (docs/OPERATIONS.md, "Memory": what the
 * gateway's bundles save). Usage: tsx summarise-heap.ts file
 */
import { readFileSync } from 'node:fs';

// Piped into `head`, the reader may go before the last line is written: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const snap = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
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

// A script is a `code` node named by its URL; its edge `source` leads to its text.
const meta = snap.snapshot.meta;
const [iEdges] = ['edge_count'].map((f) => fields.indexOf(f)) as [number];
const ew = meta.edge_fields.length;
const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [number, number, number];
const sourceBy = new Map<string, { bytes: number; scripts: number }>();
let edge = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const edges = snap.nodes[i + iEdges]!;
  const name = snap.strings[snap.nodes[i + iName]!]!;
  if (types[snap.nodes[i + iType]!] === 'code' && /^(file:\/\/|\/|node:)/.test(name)) {
    for (let k = edge; k < edge + edges; k++) {
      // Element and hidden edges carry an index, not a name.
      const edgeType = meta.edge_types[0][snap.edges[k * ew + eType]!];
      if (edgeType === 'element' || edgeType === 'hidden' || snap.strings[snap.edges[k * ew + eName]!] !== 'source') continue;
      const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(name)?.[1] ?? (name.startsWith('node:') ? 'node:*' : '(this program)');
      const e = sourceBy.get(pkg) ?? { bytes: 0, scripts: 0 };
      e.bytes += snap.nodes[snap.edges[k * ew + eTo]! + iSize]!;
      e.scripts += 1;
      sourceBy.set(pkg, e);
    }
  }
  edge += edges;
}
const sourceTotal = [...sourceBy.values()].reduce((a, e) => ({ bytes: a.bytes + e.bytes, scripts: a.scripts + e.scripts }), { bytes: 0, scripts: 0 });
console.log(`\nscripts' source text ${(sourceTotal.bytes / 1048576).toFixed(1)} MiB in ${sourceTotal.scripts} scripts; by package (top 15):`);
for (const [k, v] of [...sourceBy].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 15))
  console.log(`${(v.bytes / 1048576).toFixed(2).padStart(6)} MiB ${String(v.scripts).padStart(8)}  ${k}`);
