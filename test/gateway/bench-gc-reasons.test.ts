/**
 * docs/POSTGRES.md: profile-latency.ts GC=reasons prints why each of the gateway's full collections
 * began (V8's own lines, which gc-observer.mjs turns on with HCP_GC_REASONS=1), the heap after it,
 * and how fast the old heap filled between scavenges. A real node with gc-observer.mjs preloaded,
 * made to fill its old heap, prints the lines that scripts/bench/gc-reasons.ts reads: this node's V8
 * still writes them as those patterns expect.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fullCollectionLine, oldHeapGrowthText, oldHeapLine } from '../../scripts/bench/gc-reasons.js';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

// Keeps a growing share of what it makes, so that the old heap reaches V8's limit and marking
// starts on its own; then waits for the observer's buffered entries to be written.
const FILL_OLD_HEAP = `
const keep = [];
for (let i = 0; i < 3e6; i++) { keep.push({ a: i, b: 'x' + i }); if (keep.length > 1e6) keep.splice(0, 5e5); }
setTimeout(() => {}, 300);
`;

it("reads a real node's full collections, their reason and the old heap's filling", () => {
  const out = execFileSync(process.execPath, ['--import', join(REPO_ROOT, 'scripts/bench/gc-observer.mjs'), '--input-type=module', '-e', FILL_OLD_HEAP], {
    env: { ...process.env, HCP_GC_REASONS: '1', NODE_OPTIONS: '' },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const read = out.split('\n').flatMap((line) => fullCollectionLine(line) ?? []);
  expect(
    read.find((l) => /^ {2}0x[0-9a-f]+ marking started \(allocation limit\): old heap \d+MB of its limit \d+MB$/.test(l)),
    out.slice(0, 3000),
  ).toBeDefined();
  expect(read.find((l) => /^ {2}0x[0-9a-f]+ Mark-Compact [\d.]+ -> [\d.]+ MB \(committed [\d.]+ -> [\d.]+\), pause [\d.]+ ms: \S.*$/.test(l))).toBeDefined();
  expect(read.find((l) => /^ {2}main thread after it: heap used [\d.]+ MiB, external [\d.]+ MiB \(array buffers [\d.]+ MiB\)$/.test(l))).toBeDefined();
  // Marking's own steps are not among them.
  expect(read.filter((l) => l.includes('Step'))).toEqual([]);
  const sizes = out.split('\n').flatMap((line) => oldHeapLine(line) ?? []);
  expect(sizes.length).toBeGreaterThan(1);
  expect(oldHeapGrowthText(sizes)).toMatch(/^the old heap filled by [\d.]+ MiB in [\d.]+ s between scavenges \([\d.]+ MiB\/s\)/);
}, 60_000);

it("sums the old heap's rises between scavenges, leaving out a full collection's fall", () => {
  const sizes = [
    { mib: 40, at: 1000 },
    { mib: 42, at: 2000 },
    { mib: 38, at: 3000 },
    { mib: 39, at: 4000 },
  ];
  expect(oldHeapGrowthText(sizes)).toBe('the old heap filled by 3.0 MiB in 3.0 s between scavenges (1.00 MiB/s), 40.0 MiB in use after the first and 39.0 after the last');
  expect(oldHeapGrowthText(sizes.slice(0, 1))).toBe('the old heap: fewer than two scavenges in the round');
  expect(oldHeapLine('hcp-old 41.5 1796664104269.0')).toEqual({ mib: 41.5, at: 1796664104269 });
  expect(oldHeapLine('hcp-gc Scavenge 2.98 1796664104361.8')).toBeNull();
});
