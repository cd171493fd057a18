/**
 * The store's WAL checkpoints, on a thread of their own (issue 14: the press→ack tail). SQLite's
 * automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages, on the
 * connection that committed: better-sqlite3 runs that on the event loop, so about once a second at
 * 200 presses/s the loop stood still while pages were copied into the database and both files
 * were synced (`STRACE=1 … profile-latency.ts` showed those fsyncs on the main thread; the CPU
 * profile showed commits taking 11–20 ms). Here the store's connection checkpoints never
 * (`wal_autocheckpoint=0`), and a worker thread with its own connection runs a PASSIVE
 * checkpoint at most every `everyMs` while commits come. A PASSIVE checkpoint neither waits for
 * the writer nor stops it; the writer starts the WAL over at its next commit once a checkpoint has
 * copied everything (https://sqlite.org/wal.html#checkpointing).
 *
 * A checkpoint that runs while commits come does not let the WAL start over: the writer starts it
 * over only when it begins with every frame copied, and at a steady rate a commit lands during most
 * checkpoints (in the test, 30 MiB of rows committed without a pause left 77 MiB of WAL: it never
 * started over). So once the thread reports `restartAfterFrames` frames, the store's connection
 * copies what is left itself as soon as that report comes, between two transactions — only what
 * was committed during the thread's checkpoint — or, if it cannot then, after a later commit; its
 * next write starts the WAL over. The WAL
 * stays bounded under any load, at the cost of one short checkpoint on the event loop per
 * `restartAfterFrames` frames of steady load; a quiet moment starts it over without that.
 *
 * Durability does not change: SQLite syncs the WAL before copying from it and the database after,
 * whichever connection checkpoints. The thread ends after `idleMs` without a commit (a hall's
 * gateway is quiet most of the time: its heap goes back), and the next commit starts it again. If
 * the thread fails, the store's connection checkpoints in its commits again, as SQLite does by
 * default: the tail comes back, the WAL stays bounded.
 */
import type Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { startWorkerThread } from '../threads/worker-entry.js';
import type { Db } from './database.js';
import type { CheckpointAnswer, CheckpointRequest } from './wal-checkpoint-worker.js';

/** SQLite's own threshold, in pages, restored on the store's connection when the thread fails. */
const SQLITE_AUTOCHECKPOINT = 1000;

export interface WalCheckpointerOptions {
  /** The database file; the thread opens its own connection to it. */
  file: string;
  /** The store's connection: its automatic checkpoints are turned off, and back on if the thread fails. */
  connection: Database.Database;
  /** Told once, when the thread fails and the store's connection checkpoints again. */
  onFailed: (err: Error) => void;
  /** At most one checkpoint this often while commits come (SQLite's threshold is met about every second at 200 presses/s). */
  everyMs?: number;
  /** The thread ends after this long without a commit. */
  idleMs?: number;
  /** A WAL this long (in frames, one page each) is finished by the store's connection, to start it over (see above). */
  restartAfterFrames?: number;
}

export interface CheckpointStats {
  /** Checkpoints run by the thread since the store opened. */
  runs: number;
  /** Threads started (one per busy stretch: each ends after `idleMs` without a commit). */
  threads: number;
  /** SQLite's figures from the last checkpoint: frames in the WAL, frames copied, whether it met a lock. */
  last: { busy: number; log: number; checkpointed: number; ms: number } | null;
  /** Set once the thread failed: the store's connection checkpoints in its commits again. */
  failed: string | null;
  /** Times the WAL grew past `restartAfterFrames` and the store's connection copied the rest (see the header). */
  restarts: number;
}

export class WalCheckpointer {
  private thread: Worker | null = null;
  private nextCheckpoint: NodeJS.Timeout | null = null;
  private idle: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly everyMs: number;
  private readonly idleMs: number;
  readonly stats: CheckpointStats = { runs: 0, threads: 0, last: null, failed: null, restarts: 0 };
  private readonly restartAfterFrames: number;
  /** The thread reported a long WAL: the store's connection copies the rest (see the header). */
  private startOverDue = false;

  constructor(private readonly o: WalCheckpointerOptions) {
    this.everyMs = o.everyMs ?? 500;
    this.idleMs = o.idleMs ?? 15_000;
    this.restartAfterFrames = o.restartAfterFrames ?? 10_000;
    o.connection.pragma('wal_autocheckpoint = 0');
  }

  /** Whether a checkpointing thread runs now (one does from a commit until `idleMs` after the last). */
  get threadRunning(): boolean {
    return this.thread !== null;
  }

  /** A commit reached the WAL: a checkpoint within `everyMs`, on a thread started if none runs. */
  committed(): void {
    if (this.closed || this.stats.failed) return;
    // Never a throw into the commit's flush, which would take the store for broken: whatever fails
    // here (a thread that cannot start) hands the checkpoints back to the connection.
    try {
      const thread = this.thread ?? this.start();
      this.idle?.refresh();
      // Also here, not only at the thread's report: a busy machine may be slow to send the next.
      if (this.startOverDue) this.startOverDue = !this.copyTheRest();
      this.nextCheckpoint ??= setTimeout(() => {
        this.nextCheckpoint = null;
        ask(thread, { checkpoint: true });
      }, this.everyMs).unref();
    } catch (err) {
      this.giveUp(err as Error);
    }
  }

  /** Ends the thread (its connection closes, so the store's own close finds itself the last and removes the WAL). */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTimers();
    await this.retire();
  }

  private start(): Worker {
    const thread = startWorkerThread(import.meta.url, 'wal-checkpoint-worker');
    this.thread = thread;
    this.stats.threads++;
    // Nothing of this thread keeps the process alive: a program that is done exits.
    thread.unref();
    thread.on('message', (a: CheckpointAnswer) => {
      // A retiring thread's last checkpoint counts; its failure, once another runs, is old news.
      if ('failed' in a) return this.fail(thread, new Error(`a WAL checkpoint failed: ${a.failed}`));
      this.stats.runs++;
      this.stats.last = { ...a.done, ms: a.ms };
      if (a.done.log < this.restartAfterFrames && !this.startOverDue) return;
      // Right after the thread's checkpoint little is left to copy; if the connection cannot now
      // (a transaction open, the lock taken), the thread checkpoints again at once and we retry.
      this.startOverDue = !this.copyTheRest();
      if (this.startOverDue && this.thread === thread) setTimeout(() => this.thread === thread && ask(thread, { checkpoint: true }), 10).unref();
    });
    thread.on('error', (err) => this.fail(thread, err));
    thread.on('exit', (code) => {
      if (this.thread === thread) this.fail(thread, new Error(`the checkpointing thread ended (exit code ${code})`));
    });
    ask(thread, { open: this.o.file });
    this.idle = setTimeout(() => void this.retire(), this.idleMs).unref();
    return thread;
  }

  /** The thread closes its connection and ends; the next commit starts another. */
  private async retire(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    this.thread = null;
    this.stopTimers();
    const ended = new Promise((done) => thread.once('exit', done));
    // Awaited, it must keep the process alive until it ends: unref'd, a program with nothing else
    // to do (one that embeds the gateway and stops it) ended right here, its store never closed.
    thread.ref();
    ask(thread, { close: true });
    await ended;
  }

  private fail(thread: Worker, err: Error): void {
    if (this.thread !== thread || this.closed) return;
    this.giveUp(err);
  }

  private giveUp(err: Error): void {
    const thread = this.thread;
    this.thread = null;
    this.stopTimers();
    void thread?.terminate();
    this.stats.failed = err.message;
    // Back to SQLite's default: the commit that crosses the threshold checkpoints, on the event loop.
    if (this.o.connection.open) this.o.connection.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    this.o.onFailed(err);
  }

  /**
   * On the store's connection, between two transactions: copy what the thread has not, so that the
   * next write starts the WAL over. False when it could not: a transaction open, the thread's own
   * checkpoint holding the lock (`busy`), a reader still on old frames, an error.
   */
  private copyTheRest(): boolean {
    const c = this.o.connection;
    if (!c.open || c.inTransaction) return false;
    try {
      const [r] = c.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      if (r!.busy !== 0 || r!.checkpointed !== r!.log) return false;
    } catch {
      return false;
    }
    this.stats.restarts++;
    return true;
  }

  private stopTimers(): void {
    if (this.nextCheckpoint) clearTimeout(this.nextCheckpoint);
    if (this.idle) clearTimeout(this.idle);
    this.nextCheckpoint = null;
    this.idle = null;
  }
}

/** A request to the thread, in the worker's own terms. */
function ask(thread: Worker, m: CheckpointRequest): void {
  thread.postMessage(m);
}

/**
 * Copy the whole WAL into the database and empty its file (TRUNCATE), so that old pages — a purged
 * key's — leave the disk. The checkpointing thread may hold the checkpoint lock for a moment, and
 * SQLite then answers `busy` at once instead of waiting: tried again for up to `withinMs`. True
 * once the WAL is empty.
 */
export async function emptyWal(db: Db, withinMs = 2_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    const r = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db).catch(() => null);
    if (r?.rows[0]?.busy === 0) return true;
    if (Date.now() > until) return false;
    await new Promise((done) => setTimeout(done, 20));
  }
}
