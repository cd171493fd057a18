// Preloaded with --import into a gateway under study (NODE_OPTIONS refuses V8's flags, and the
// unit passes its options that way): V8's allocation-site pretenuring, by HCP_PRETENURING.
//   off    turned off (--no-allocation-site-pretenuring), for the whole process: what it costs or
//          saves the old heap (profile-latency.ts GC=reasons) and the press→ack tail (code-ab.ts)
//   trace  each of V8's decisions printed on stdout (--trace-pretenuring): which allocation sites
//          it moved to the old heap, and when (profile-latency.ts GATEWAY_STDOUT=<file> keeps them)
// docs/POSTGRES.md ("Measured") has what it found.
import v8 from 'node:v8';

const mode = process.env.HCP_PRETENURING;
if (mode === 'off') v8.setFlagsFromString('--no-allocation-site-pretenuring');
else if (mode === 'trace') v8.setFlagsFromString('--trace-pretenuring');
else throw new Error(`HCP_PRETENURING must be off or trace, not ${mode ?? 'unset'}`);
