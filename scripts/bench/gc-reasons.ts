/**
 * profile-latency.ts GC=reasons reads the gateway's stdout, where gc-observer.mjs (HCP_GC_REASONS=1)
 * has V8 print why each full collection began and how it went, and prints the old heap's size after
 * each scavenge. These read those lines (test/gateway/bench-gc-reasons.test.ts, on a real node's).
 */

/** The old heap's size in use after a scavenge, MiB, at wall-clock ms. */
export interface OldHeapSize {
  mib: number;
  at: number;
}

/** gc-observer.mjs's "hcp-old <MiB> <wall ms>", or null for any other line. */
export function oldHeapLine(line: string): OldHeapSize | null {
  const old = /^hcp-old ([\d.]+) ([\d.]+)$/.exec(line);
  return old ? { mib: Number(old[1]), at: Number(old[2]) } : null;
}

/**
 * GC=reasons: a line of V8's trace (trace flags set by gc-observer.mjs) or gc-observer.mjs's own
 * that says something of a full collection, shortened; null for any other line (marking's steps).
 * "[1:0x5…] 5 ms: [IncrementalMarking] Start (allocation limit): (size/limit/slack) v8: 40MB / 38MB / 0MB global: …",
 * "[1:0x5…] 9 ms: Mark-Compact 45.3 (75.0) -> 35.2 (68.9) MB, 28.00 / 0.00 ms  (+ …) finalize incremental marking via stack guard; …",
 * "hcp-heap 35.1 12.0 10.2". The isolate's address tells the main thread's heap from the checking thread's.
 */
export function fullCollectionLine(line: string): string | null {
  const start = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: \[IncrementalMarking\] Start \(([^)]+)\): \(size\/limit\/slack\) v8: (\S+) \/ (\S+)/.exec(line);
  if (start) return `  ${start[1]} marking started (${start[2]}): old heap ${start[3]} of its limit ${start[4]}`;
  const full = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: Mark-Compact ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB, ([\d.]+) .*\) ([^)]*)$/.exec(line);
  if (full) return `  ${full[1]} Mark-Compact ${full[2]} -> ${full[4]} MB (committed ${full[3]} -> ${full[5]}), pause ${full[6]} ms: ${full[7]}`;
  const heap = /^hcp-heap (\S+) (\S+) (\S+)$/.exec(line);
  if (heap) return `  main thread after it: heap used ${heap[1]} MiB, external ${heap[2]} MiB (array buffers ${heap[3]} MiB)`;
  return null;
}

/**
 * GC=reasons: how fast the old heap filled over a round, from its size after each scavenge: the
 * rises between one scavenge and the next summed (a full collection's fall in between is left out,
 * and so is what came between the last scavenge before it and the collection).
 */
export function oldHeapGrowthText(after: OldHeapSize[]): string {
  let grew = 0;
  for (let i = 1; i < after.length; i++) grew += Math.max(0, after[i]!.mib - after[i - 1]!.mib);
  const seconds = after.length > 1 ? (after.at(-1)!.at - after[0]!.at) / 1000 : 0;
  if (seconds === 0) return 'the old heap: fewer than two scavenges in the round';
  return `the old heap filled by ${grew.toFixed(1)} MiB in ${seconds.toFixed(1)} s between scavenges (${(grew / seconds).toFixed(2)} MiB/s), ${after[0]!.mib.toFixed(1)} MiB in use after the first and ${after.at(-1)!.mib.toFixed(1)} after the last`;
}
