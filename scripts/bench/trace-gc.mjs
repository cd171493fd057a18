// Preloaded with --import into a gateway (node refuses --trace-gc in NODE_OPTIONS): V8 writes one
// line to stdout for each collection, in every thread's heap. By default a line of name=value
// pairs (scripts/bench/gc-by-thread.ts reads them); with HCP_TRACE_GC=lines, V8's readable line,
// which gives each heap's size in use and committed before and after (idle-start.ts prints them).
import v8 from 'node:v8';

v8.setFlagsFromString('--trace-gc');
if (process.env.HCP_TRACE_GC !== 'lines') v8.setFlagsFromString('--trace-gc-nvp');
// HCP_TRACE_GC_MARK=1: SIGUSR2 makes the main thread collect its young heap once, so that its heap
// has a trace line at a moment the reader chooses (gc-by-thread.ts tells the main thread's heap
// from a worker's by it; a gateway that has not collected before a burst had none). --expose-gc is
// in the unit's NODE_OPTIONS.
if (process.env.HCP_TRACE_GC_MARK === '1') process.on('SIGUSR2', () => globalThis.gc?.({ type: 'minor' }));
