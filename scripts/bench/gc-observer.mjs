// Preloaded with --import into a gateway under study (GC=1 on profile-latency.ts; NODE_OPTIONS
// refuses --trace-gc): each garbage collection's kind, pause and wall-clock start, and each stall
// of the event loop over 15 ms (a 5 ms ticker saw no turn for that long) with its start, one line
// on stdout each, read by the script that started it ("hcp-gc Scavenge 2.31 1764680000123.4",
// "hcp-stall 22.0 1764680000150.2"). The wall clock lets that script place them in a round of the
// load generator, another process.
import { constants, PerformanceObserver } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'Mark-Compact',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'Incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'Weak-callbacks',
};
const wall = (t) => (performance.timeOrigin + t).toFixed(1);
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) process.stdout.write(`hcp-gc ${KINDS[e.detail?.kind] ?? 'other'} ${e.duration.toFixed(2)} ${wall(e.startTime)}\n`);
}).observe({ entryTypes: ['gc'] });

let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 15) process.stdout.write(`hcp-stall ${(now - last).toFixed(1)} ${wall(last)}\n`);
  last = now;
}, 5).unref();
