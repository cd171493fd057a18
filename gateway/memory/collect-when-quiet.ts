/**
 * One full garbage collection once the gateway has been quiet for a while after a burst: records
 * stored, devices logging in (docs/OPERATIONS.md, "Memory").
 *
 * Why the gateway asks for it: a burst grows V8's young generation to its largest size (32 MiB on
 * this Node) and leaves the burst's garbage in the old space, and V8 gives both back only at its
 * next full collection. Its memory reducer would run one when the program idles, but it counts any
 * call into JavaScript as activity, and a gateway with a thousand devices is called every few
 * milliseconds by their keep-alives: it never looks idle. So a hall's gateway kept ~35 MiB more
 * after a busy morning than before it, for the rest of the day (bench:gateway: 143 MiB fresh, 177 after load).
 *
 * It runs only where `gc` exists: node exposes it with --expose-gc, which the systemd unit sets
 * in NODE_OPTIONS. A few collections per quiet spell (below), never while records or logins keep coming; it pauses
 * the gateway for some tens of milliseconds at a moment nothing is being stored.
 */
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';

/** Quiet time after the last stored records or device login before the collection runs. */
export const QUIET_MS = 15_000;

/**
 * A collection compacts only part of a fragmented old space (V8 bounds the work of each), so while
 * a collection still gives back at least GAIN_BYTES another follows, ROUND_GAP_MS later, up to
 * MAX_ROUNDS. One collection left most of a fragmented old space in place; with the rounds,
 * bench:gateway's after-load RSS (its "after 30 s quiet" figure) is under 150 MiB.
 */
const MAX_ROUNDS = 4;
const ROUND_GAP_MS = 2_000;
const GAIN_BYTES = 1 << 20;

export interface CollectWhenQuietOptions {
  /** The collection: globalThis.gc under --expose-gc; null: nothing is ever scheduled. */
  collect: (() => void) | null;
  logger: Logger;
  quietMs?: number;
  now?: () => number;
  /** V8's committed heap (total_heap_size) by default. */
  heapBytes?: () => number;
}

export class CollectWhenQuiet {
  private readonly quietMs: number;
  private readonly now: () => number;
  private readonly heapBytes: () => number;
  private lastActivity = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** The spell being collected: rounds so far, heap before the first, time spent. */
  private spell: { rounds: number; heapBefore: number; tookMs: number } | null = null;

  constructor(private readonly o: CollectWhenQuietOptions) {
    this.quietMs = o.quietMs ?? QUIET_MS;
    this.now = o.now ?? (() => performance.now());
    this.heapBytes = o.heapBytes ?? (() => getHeapStatistics().total_heap_size);
  }

  /** The gateway's own `gc` when node exposes it. */
  static exposedGc(): (() => void) | null {
    const gc = (globalThis as { gc?: unknown }).gc;
    return typeof gc === 'function' ? () => (gc as () => void)() : null;
  }

  /** Records were stored or a device logged in: the quiet spell starts again. On the hot path: a clock read, no timer churn. */
  activity(): void {
    if (!this.o.collect || this.stopped) return;
    this.lastActivity = this.now();
    if (!this.timer) this.arm(this.quietMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.whenDue(), ms);
    this.timer.unref();
  }

  private whenDue(): void {
    this.timer = null;
    if (this.stopped) return;
    const quietFor = this.now() - this.lastActivity;
    if (quietFor < this.quietMs) {
      // Records came meanwhile: wait for the end of this spell, and start its collection over.
      this.spell = null;
      this.arm(this.quietMs - quietFor);
      return;
    }
    const before = this.heapBytes();
    const t0 = performance.now();
    this.o.collect!();
    const after = this.heapBytes();
    this.spell ??= { rounds: 0, heapBefore: before, tookMs: 0 };
    this.spell.rounds++;
    this.spell.tookMs += performance.now() - t0;
    if (this.spell.rounds < MAX_ROUNDS && before - after >= GAIN_BYTES) {
      this.arm(ROUND_GAP_MS);
      return;
    }
    const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
    this.o.logger.debug(
      { collections: this.spell.rounds, heapBeforeMiB: mib(this.spell.heapBefore), heapAfterMiB: mib(after), tookMs: Math.round(this.spell.tookMs) },
      'quiet after a burst: heap collected',
    );
    this.spell = null;
  }
}
