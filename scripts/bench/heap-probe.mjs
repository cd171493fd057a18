// Preloaded with --import into a gateway under study: on SIGWINCH, write process.memoryUsage(), V8's
// heap spaces and a heap snapshot ($HCP_PROF_DIR/gateway-<pid>-<n>.heapsnapshot) for summarise-heap.ts.
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

let n = 0;
process.on('SIGWINCH', () => {
  const dir = process.env.HCP_PROF_DIR ?? '/tmp';
  const base = `${dir}/gateway-${process.pid}-${n++}`;
  writeFileSync(`${base}.memory.json`, JSON.stringify(process.memoryUsage()));
  writeFileSync(`${base}.spaces.json`, JSON.stringify(getHeapSpaceStatistics()));
  if (process.env.HCP_HEAP_SNAPSHOT) writeHeapSnapshot(`${base}.heapsnapshot`);
});
