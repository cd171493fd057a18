// Preloaded with --import into a gateway (node refuses --trace-gc in NODE_OPTIONS): V8 writes one
// line to stdout for each collection, in every thread's heap. By default a line of name=value
// pairs (scripts/bench/gc-by-thread.ts reads them); with HCP_TRACE_GC=lines, V8's readable line,
// which gives each heap's size in use and committed before and after (idle-start.ts prints them).
import v8 from 'node:v8';

v8.setFlagsFromString('--trace-gc');
if (process.env.HCP_TRACE_GC !== 'lines') v8.setFlagsFromString('--trace-gc-nvp');
