// Preloaded with --import into a gateway under profiling instead of cpu-profiler.mjs (PROMOTED=1 on
// profile-latency.ts): the first SIGUSR2 starts V8's sampling heap profiler keeping the objects a
// full collection frees and dropping those a scavenge frees — what outlived the young heap and so
// filled the old one, whose full collections pause the event loop — the second writes
// $HCP_PROF_DIR/gateway-<pid>-<n>.heapprofile (summarise-promoted.ts reads it).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
let on = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!on) {
    session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
    on = true;
    return;
  }
  session.post('HeapProfiler.stopSampling', (err, r) => {
    if (!err) writeFileSync(`${process.env.HCP_PROF_DIR ?? '/tmp'}/gateway-${process.pid}-${n++}.heapprofile`, JSON.stringify(r.profile));
    else process.stderr.write(`heap sampling: ${err.message}\n`);
    on = false;
  });
});
