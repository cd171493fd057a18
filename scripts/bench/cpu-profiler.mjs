// Preloaded with --import into a gateway under profiling (NODE_OPTIONS refuses --cpu-prof): the first
// SIGUSR2 starts the V8 CPU profiler, the second writes $HCP_PROF_DIR/gateway-<pid>-<n>.cpuprofile.
// With HCP_PROFILE=promoted it runs V8's sampling heap profiler instead, keeping the objects a full
// collection frees and dropping those a scavenge frees — what outlived the young heap and so filled
// the old one, whose full collections pause the event loop (a full collection also frees the young
// heap's dead objects of the moment: those are kept too, so the profile is clean only of a stretch
// with no full collection in it; GC=reasons on profile-latency.ts says whether there was one). The
// young heap is collected once just before the sampling stops (--expose-gc is in the unit's
// NODE_OPTIONS), so that its dead objects of that moment are dropped too. It writes a .heapprofile
// (summarise-promoted.ts reads it). HCP_PROFILE=allocated keeps every sampled object, whatever
// collected it: all the round allocated.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const mode = process.env.HCP_PROFILE;
const [start, stop, ext] =
  mode === 'promoted' || mode === 'allocated'
    ? [
        () =>
          session.post('HeapProfiler.startSampling', {
            samplingInterval: 4096,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: mode === 'allocated',
          }),
        'HeapProfiler.stopSampling',
        'heapprofile',
      ]
    : [
        () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.enable', () => session.post('Profiler.start'))),
        'Profiler.stop',
        'cpuprofile',
      ];
let on = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!on) {
    start();
    on = true;
    return;
  }
  if (mode === 'promoted') globalThis.gc?.({ type: 'minor' });
  session.post(stop, (err, r) => {
    if (!err) writeFileSync(`${process.env.HCP_PROF_DIR ?? '/tmp'}/gateway-${process.pid}-${n++}.${ext}`, JSON.stringify(r.profile));
    else process.stderr.write(`${stop}: ${err.message}\n`);
    on = false;
  });
});
