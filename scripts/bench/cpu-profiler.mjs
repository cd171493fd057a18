// Preloaded with --import into a gateway under profiling (NODE_OPTIONS refuses --cpu-prof): the first
// SIGUSR2 starts the V8 CPU profiler, the second writes $HCP_PROF_DIR/gateway-<pid>-<n>.cpuprofile.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
let on = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!on) {
    session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.enable', () => session.post('Profiler.start')));
    on = true;
    return;
  }
  session.post('Profiler.stop', (err, r) => {
    if (!err) writeFileSync(`${process.env.HCP_PROF_DIR ?? '/tmp'}/gateway-${process.pid}-${n++}.cpuprofile`, JSON.stringify(r.profile));
    on = false;
  });
});
