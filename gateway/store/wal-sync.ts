/**
 * A commit's flush to disk, off the main thread (issue 14). better-sqlite3 runs on the event loop:
 * with `synchronous=FULL` every commit's fdatasync of the WAL held it, and the broker, the checks
 * and every other press waited behind the disk. The connection runs `synchronous=NORMAL` instead —
 * a commit writes its WAL frames and returns, and SQLite itself still syncs the WAL before a
 * checkpoint and the database after one — and the store flushes the WAL file here, on libuv's
 * thread pool, before the write that committed resolves (sqlite-dialect.ts holds the connection
 * until then): nothing is acknowledged before it is on disk, as with FULL, while the event loop
 * goes on taking presses and checking batches.
 *
 * Why this is as safe as FULL: a commit's frames are in the file (the OS's cache) when SQLite
 * returns; an fdatasync begun after that makes them and every earlier frame durable, and recovery
 * replays the WAL's valid prefix. A process crash loses nothing either way (the frames are in the
 * kernel's cache); only a power cut before the flush ends loses the last commits, which no one was
 * told of. A commit that comes while a flush runs waits for the next one, which covers it and any
 * other that came meanwhile.
 *
 * A failed flush may have dropped the pages it could not write (Linux clears their dirty state):
 * a later flush that succeeds proves nothing. So the store stops making promises: that write and
 * every later one fail with the flush's error, and the store calls its owner's `onFailure`: the
 * gateway exits so that its service manager starts it again (PostgreSQL, likewise, stops on a failed
 * fsync and recovers from its log). On restart SQLite replays the WAL's valid prefix: every
 * acknowledged commit is in it, and a device sends again whatever was not acknowledged. */
import { open, type FileHandle } from 'node:fs/promises';

export interface Flusher {
  /** Make everything written to the WAL so far durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * fdatasync of the database's WAL file, through a handle of our own opened at the first flush and
 * held while the store is open. SQLite makes the WAL anew only when the last connection to the
 * database closes (or the journal mode changes, which the gateway never does), and the store's own
 * connection is open all that time: the handle always names the file SQLite writes.
 */
export function walFileFlusher(walPath: string): Flusher {
  let handle: FileHandle | null = null;
  return {
    async flush() {
      handle ??= await open(walPath, 'r');
      await handle.datasync();
    },
    async close() {
      await handle?.close();
      handle = null;
    },
  };
}

export class WalSync {
  private running: Promise<void> | null = null;
  /** The flush that starts once `running` ends: whoever committed after `running` began waits for it. */
  private next: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly flusher: Flusher,
    /** Called once, with the first failed flush's error. */
    private readonly onFailure: (err: Error) => void = () => undefined,
  ) {}

  /** Called right after a commit that wrote: resolves once that commit (and all before it) is on disk. */
  committed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.running) return this.start();
    // The flush in progress may have begun before this commit: wait for the next one.
    this.next ??= this.running.then(
      () => {
        this.next = null;
        return this.start();
      },
      (err: unknown) => {
        this.next = null;
        throw err;
      },
    );
    return this.next;
  }

  /** Waits for the flushes under way, then lets go of the file. */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.next]);
    await this.flusher.close();
  }

  private start(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const run: Promise<void> = this.flusher.flush().then(
      () => {
        if (this.running === run) this.running = null;
      },
      (err: unknown) => {
        if (this.running === run) this.running = null;
        const first = !this.failure;
        this.failure ??= new Error(`the database's write-ahead log could not be flushed to disk; no later write is trusted until the gateway restarts: ${(err as Error).message}`);
        if (first) this.onFailure(this.failure);
        throw this.failure;
      },
    );
    this.running = run;
    return run;
  }
}
