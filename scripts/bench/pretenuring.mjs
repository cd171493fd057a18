// Preloaded with --import into a gateway under study (NODE_OPTIONS refuses V8's flags, and the
// unit passes its options that way): V8's allocation-site pretenuring, by HCP_PRETENURING.
//   off    turned off (--no-allocation-site-pretenuring), for the whole process: what it costs or
//          saves the old heap (profile-latency.ts GC=reasons) and the press→ack tail (code-ab.ts)
//   trace  each of V8's decisions printed on stdout: which allocation sites it moved to the old
//          heap, and when (profile-latency.ts GATEWAY_STDOUT=<file> keeps them). The per-site lines
//          ("pretenuring: AllocationSite(…): (created, found, ratio) … undecided => tenure") come
//          with --trace-pretenuring-statistics; --trace-pretenuring alone prints only its resets.
// docs/POSTGRES.md ("Measured") has what it found.
import v8 from 'node:v8';

const mode = process.env.HCP_PRETENURING;
if (mode === 'off') v8.setFlagsFromString('--no-allocation-site-pretenuring');
else if (mode === 'trace') for (const flag of ['--trace-pretenuring', '--trace-pretenuring-statistics']) v8.setFlagsFromString(flag);
else throw new Error(`HCP_PRETENURING must be off or trace, not ${mode ?? 'unset'}`);
