/**
 * Run a child script under strace and list the fsync/fdatasync calls it made after its marker file's
 * fsync, by thread: what wal-flush.test.ts and wal-checkpointer.test.ts check is which thread syncs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TracedSyncs {
  /** The child's stdout, trimmed (its pid first). */
  stdout: string;
  stderr: string;
  /** Index of the marker's fsync in the trace, -1 if absent. */
  markerAt: number;
  syncs: Array<{ tid: number; call: string; path: string }>;
}

/** `script`: under test/support; `arg`: its one argument; `marker`: the file it fsyncs where the measured part begins. */
export function syncsUnderStrace(script: string, arg: string, marker: string, traceDir: string): TracedSyncs {
  const trace = join(traceDir, 'trace');
  const child = spawnSync('strace', ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace, process.execPath, '--import', 'tsx', join(import.meta.dirname, script), arg], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { stdout: child.stdout.trim(), stderr: child.stderr, ...syncsInTrace(readFileSync(trace, 'utf8'), marker) };
}

/**
 * The syncs in an strace log after the marker's. A call another thread's line interrupts is split in
 * two — "tid fsync(5</db> <unfinished ...>", later "tid <... fsync resumed>) = 0" — so a call is
 * counted by its opening, finished or not: on a busy machine every sync of the database file was
 * split once, and a test saw none.
 */
export function syncsInTrace(text: string, marker: string): Pick<TracedSyncs, 'markerAt' | 'syncs'> {
  const lines = text.split('\n');
  const markerAt = lines.findIndex((l) => l.includes(`${marker}>`));
  const syncs = lines.slice(markerAt + 1).flatMap((l) => {
    const m = /^(\d+)\s+(fsync|fdatasync)\(\d+<([^>]*)>(?:\)| <unfinished \.\.\.>$)/.exec(l);
    return m ? [{ tid: Number(m[1]), call: m[2]!, path: m[3]! }] : [];
  });
  return { markerAt, syncs };
}
