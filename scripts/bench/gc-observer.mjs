// Preloaded with --import into a gateway under study (GC=1 on profile-latency.ts; NODE_OPTIONS
// refuses --trace-gc): each garbage collection's kind, pause and wall-clock start, and each stall
// of the event loop over 15 ms (a 5 ms ticker saw no turn for that long) with its start, one line
// on stdout each, read by the script that started it ("hcp-gc Scavenge 2.31 1764680000123.4",
// "hcp-stall 22.0 1764680000150.2"). The wall clock lets that script place them in a round of the
// load generator, another process.
// HCP_GC_REASONS=1 (GC=reasons) also asks V8 why each full collection began: its own lines for the
// start of incremental marking ("Start (allocation limit): (size/limit/slack) v8: 40MB / 38MB …")
// and for each Mark-Compact (the heap before and after), and after each full collection this
// process's heap and external memory ("hcp-heap <heap used MiB> <external MiB> <array buffers MiB>"):
// whether the old heap grew to its limit or outside memory (buffers) pressed for the collection;
// and after each scavenge the old heap's size in use, old and large-object spaces
// ("hcp-old <MiB> <wall ms>"): how fast it fills, with what scavenges promote and what V8
// allocates there at once (allocation sites it has pretenured).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

const reasons = process.env.HCP_GC_REASONS === '1';
if (reasons) for (const flag of ['--trace-gc', '--trace-gc-ignore-scavenger', '--trace-incremental-marking']) v8.setFlagsFromString(flag);
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'Mark-Compact',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'Incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'Weak-callbacks',
};
const wall = (t) => (performance.timeOrigin + t).toFixed(1);
const mib = (bytes) => (bytes / 1048576).toFixed(1);
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    process.stdout.write(`hcp-gc ${KINDS[e.detail?.kind] ?? 'other'} ${e.duration.toFixed(2)} ${wall(e.startTime)}\n`);
    if (reasons && e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      const m = process.memoryUsage();
      process.stdout.write(`hcp-heap ${mib(m.heapUsed)} ${mib(m.external)} ${mib(m.arrayBuffers)}\n`);
    }
    if (reasons && e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      const old = v8.getHeapSpaceStatistics().filter((sp) => sp.space_name === 'old_space' || sp.space_name === 'large_object_space');
      process.stdout.write(`hcp-old ${mib(old.reduce((a, sp) => a + sp.space_used_size, 0))} ${wall(e.startTime + e.duration)}\n`);
    }
  }
}).observe({ entryTypes: ['gc'] });

let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 15) process.stdout.write(`hcp-stall ${(now - last).toFixed(1)} ${wall(last)}\n`);
  last = now;
}, 5).unref();
