// Preloaded with --import into a gateway under study (GC=1 on profile-latency.ts; NODE_OPTIONS
// refuses --trace-gc): each garbage collection's kind and pause, one line on stdout, read by the
// script that started it ("hcp-gc Scavenge 2.31").
import { constants, PerformanceObserver } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'Mark-Compact',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'Incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'Weak-callbacks',
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) process.stdout.write(`hcp-gc ${KINDS[e.detail?.kind] ?? 'other'} ${e.duration.toFixed(2)}\n`);
}).observe({ entryTypes: ['gc'] });
