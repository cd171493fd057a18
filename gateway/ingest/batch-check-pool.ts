/**
 * Batch checks off the main thread (issue 14: profiled, parsing, schema checks and hashing of
 * each record took a third of ingest's time, all on the thread that also commits). A small pool
 * of worker threads runs batch-check.ts on each batch as it arrives, while the main thread commits
 * the batches checked before it: on two cores, checking and committing overlap.
 *
 * Small batches (a press, sent at once) are checked in place: the hop to a worker and back would
 * cost a press more time than the check. A large batch's bytes are handed to the worker, not
 * copied (transferred): a copy of a few hundred kB is fresh memory each time, and touching it cost
 * the main thread about as much as the rest of the hop (profiled, issue 14). A worker that fails (it
 * should not: the check never throws) is replaced; the batches it held are checked in place where
 * their bytes are still here, and otherwise refused unacknowledged, so that the device sends them
 * again: a batch is never lost here.
 * Workers are referenced only while they hold work, so a program that is done can exit, and a
 * worker idle for `idleMs` ends: its thread's heap, grown by a burst, goes back to the system (a
 * hall's gateway is quiet most of the time); the next burst starts a new one.
 * A new worker takes 0.1–0.15 s to load its modules (scripts/bench/check-cost.ts, on 2 cores; 0.24–0.47 s
 * when it also compiled the schema, which the build now writes out as code: compiled-batch-check.ts),
 * and a burst's first batches would wait that long for it while the main
 * thread, with nothing checked to commit, sat idle: so until the worker says it is ready, batches
 * are checked in place, and the burst is committing from its first batch.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startWorkerThread } from '../threads/worker-entry.js';
import { type CheckResult, checkBatch, type PackedResult, unpackResult } from './batch-check.js';

/** Below this many bytes a batch is checked in place (one rating is about 1 kB). */
const INLINE_BELOW_BYTES = 16 * 1024;
/**
 * Above a socket's largest read (64 KiB), a payload that is the whole of its memory is a copy the
 * MQTT parser assembled for this packet alone: nothing else reads it, and it can be handed over.
 * (A smaller one may be a view of the socket's chunk or of Node's shared buffer pool.)
 */
const TRANSFER_ABOVE_BYTES = 64 * 1024;

/** Whether `payload` may be moved to a worker (its memory is its own, and nothing else holds it). */
function transferable(payload: Buffer): boolean {
  return payload.length > TRANSFER_ABOVE_BYTES && payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength && payload.buffer instanceof ArrayBuffer;
}

/** The answer for a batch whose worker ended before it answered, its bytes gone with it. */
export const CHECK_LOST = 'the thread checking this batch ended before it answered: not acknowledged, the device sends it again';

export interface BatchChecker {
  check(deviceId: string, payload: Buffer, receivedAt: number): Promise<CheckResult>;
  close(): Promise<void>;
}

/** The check, never throwing: a batch that makes it fail is refused, not a crash of the thread. */
function checkSafely(deviceId: string, payload: Buffer, receivedAt: number): CheckResult {
  try {
    return checkBatch(deviceId, payload, receivedAt);
  } catch (err) {
    return { ok: false, refused: `the batch could not be checked: ${(err as Error).message}` };
  }
}

/** The check in the calling thread: the default, and what a one-off import uses. */
export const inlineChecker: BatchChecker = {
  check: async (deviceId, payload, receivedAt) => checkSafely(deviceId, payload, receivedAt),
  close: async () => undefined,
};

interface Task {
  deviceId: string;
  /** Null once handed to the worker (transferred). */
  payload: Buffer | null;
  receivedAt: number;
  resolve: (r: CheckResult) => void;
}

interface Slot {
  worker: Worker;
  /** The worker has loaded its modules and takes batches (until then they are checked in place). */
  ready: boolean;
  /** Called once it is ready (warmUp). */
  onReady: Array<() => void>;
  pending: Map<number, Task>;
  /** Ends the worker once it has had nothing to do for `idleMs`. */
  idleTimer: NodeJS.Timeout | null;
}

/** A worker with no batch for this long ends (docs/OPERATIONS.md, "Memory"). */
export const CHECK_THREAD_IDLE_MS = 15_000;

export class BatchCheckPool implements BatchChecker {
  private readonly slots: Array<Slot | null>;
  private next = 0;
  private taskId = 0;
  private closed = false;

  /** `size`: worker threads (by default one less than the cores, 1 to 4). */
  constructor(
    private readonly logger: Logger,
    size = Math.min(4, Math.max(1, availableParallelism() - 1)),
    private readonly idleMs = CHECK_THREAD_IDLE_MS,
  ) {
    this.slots = Array.from({ length: size }, () => null);
  }

  check(deviceId: string, payload: Buffer, receivedAt: number): Promise<CheckResult> {
    if (this.closed || payload.length < INLINE_BELOW_BYTES) return Promise.resolve(checkSafely(deviceId, payload, receivedAt));
    const i = this.next++ % this.slots.length;
    const slot = (this.slots[i] ??= this.spawn(i));
    if (!slot.ready) return Promise.resolve(checkSafely(deviceId, payload, receivedAt));
    return new Promise((resolve) => {
      const id = ++this.taskId;
      const move = transferable(payload);
      slot.pending.set(id, { deviceId, payload: move ? null : payload, receivedAt, resolve });
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      if (slot.pending.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, deviceId, payload, receivedAt }, move ? [payload.buffer as ArrayBuffer] : []);
    });
  }

  /** Start every worker now; resolves when each takes batches (a test's checks then leave the thread from the first). */
  async warmUp(): Promise<void> {
    await Promise.all(
      this.slots.map((_, i) => {
        const slot = (this.slots[i] ??= this.spawn(i));
        return slot.ready ? undefined : new Promise<void>((r) => slot.onReady.push(r));
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0).filter((s): s is Slot => s !== null);
    for (const s of slots) {
      if (s.idleTimer) clearTimeout(s.idleTimer);
      this.orphan(s);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(i: number): Slot {
    const worker = startWorkerThread(import.meta.url, 'batch-check-worker');
    const slot: Slot = { worker, ready: false, onReady: [], pending: new Map(), idleTimer: null };
    worker.unref();
    const idle = () => {
      worker.unref();
      slot.idleTimer = setTimeout(() => this.retire(i, slot), this.idleMs).unref();
    };
    worker.on('message', (m: { ready: true } | { id: number; result: PackedResult }) => {
      if ('ready' in m) {
        slot.ready = true;
        idle();
        for (const r of slot.onReady.splice(0)) r();
        return;
      }
      const task = slot.pending.get(m.id);
      if (!task) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) idle();
      task.resolve(unpackResult(m.result));
    });
    const lost = (why: string) => {
      if (this.slots[i] !== slot) return;
      this.slots[i] = null;
      for (const r of slot.onReady.splice(0)) r(); // warmUp waits for no worker that is gone
      if (!this.closed) this.logger.error({ why, batches: slot.pending.size }, 'batch-check worker lost: its batches are checked in place; a new worker takes the next');
      this.orphan(slot);
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
    return slot;
  }

  /** An idle worker ends; its slot is free for a new one (no batch is in its hands). */
  private retire(i: number, slot: Slot): void {
    if (this.slots[i] !== slot || slot.pending.size > 0) return;
    this.slots[i] = null;
    void slot.worker.terminate();
  }

  /** Check in place what a worker held and will not answer; refuse what it took with it. */
  private orphan(slot: Slot): void {
    for (const t of slot.pending.values()) t.resolve(t.payload ? checkSafely(t.deviceId, t.payload, t.receivedAt) : { ok: false, refused: CHECK_LOST });
    slot.pending.clear();
  }
}
