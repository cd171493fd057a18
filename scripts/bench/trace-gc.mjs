// Preloaded with --import into a gateway (node refuses --trace-gc in NODE_OPTIONS): V8 writes one
// line of name=value pairs to stdout for each collection, in every thread's heap
// (scripts/bench/gc-by-thread.ts reads them).
import v8 from 'node:v8';

v8.setFlagsFromString('--trace-gc');
v8.setFlagsFromString('--trace-gc-nvp');
