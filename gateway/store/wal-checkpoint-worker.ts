/**
 * The thread of wal-checkpointer.ts: a connection of its own to the store's file that runs a PASSIVE
 * checkpoint each time it is asked, and answers with SQLite's figures. It never writes a row.
 */
import Database from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';

export type CheckpointRequest = { open: string } | { checkpoint: true } | { close: true };
export type CheckpointAnswer = { done: { busy: number; log: number; checkpointed: number }; ms: number } | { failed: string };

let db: Database.Database | null = null;
const answer = (a: CheckpointAnswer) => parentPort!.postMessage(a);

parentPort!.on('message', (m: CheckpointRequest) => {
  try {
    if ('open' in m) {
      db = new Database(m.open, { fileMustExist: true });
    } else if ('checkpoint' in m) {
      const t0 = performance.now();
      // PASSIVE: copies what no reader still needs, without waiting for the writer or stopping it
      // (https://sqlite.org/c3ref/wal_checkpoint_v2.html). SQLite syncs the WAL before and the
      // database after, on this thread.
      const [r] = db!.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      answer({ done: r!, ms: performance.now() - t0 });
    } else {
      db?.close();
      db = null;
      parentPort!.close();
    }
  } catch (err) {
    answer({ failed: (err as Error).message });
  }
});
