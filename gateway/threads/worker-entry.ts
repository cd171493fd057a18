/**
 * How the gateway starts one of its worker threads: the built `.js` beside the calling module in
 * production; in development and tests (TypeScript through tsx) a two-line boot that registers tsx
 * in the thread first — a worker thread does not take `--import` from its execArgv on Node 20.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `name`: the worker module's file name without extension, next to the module at `callerUrl`. */
export function startWorkerThread(callerUrl: string, name: string): Worker {
  if (callerUrl.endsWith('.ts')) {
    const boot = "const { workerData: d } = require('node:worker_threads'); import(d.tsx).then((t) => { t.register(); return import(d.entry); });";
    return new Worker(boot, { eval: true, execArgv: [], workerData: { tsx: import.meta.resolve('tsx/esm/api'), entry: new URL(`./${name}.ts`, callerUrl).href } });
  }
  // No execArgv of the process's own: a flag such as `--input-type` (a program run with -e) is
  // refused in a thread started from a file, which then dies at once.
  return new Worker(fileURLToPath(new URL(`./${name}.js`, callerUrl)), { execArgv: [] });
}
