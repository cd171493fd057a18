/**
 * Keeps a long-lived device's store from filling up (issue 10, hole 8): prunes records the gateway
 * has acknowledged once they are older than `store.retainDays` (device/store/chain-pruner.ts), on
 * a timer and whenever the store is past FILL_WARNING, and warns hall IT (throttled) while it is.
 * Pruning moves only when the gateway has acknowledged more, or when time has moved the cutoff.
 */
import type { Logger } from 'pino';
import type { StampClock } from '../clock/stamp-clock.js';
import { LogThrottle } from '../hardware/log-throttle.js';
import type { Feature, RuntimeEventBus } from '../runtime/ports.js';
import type { ChainPruner } from '../store/chain-pruner.js';

/** At this fill the device warns and prunes at once, without waiting for the timer. */
export const FILL_WARNING = 0.8;
const DAY_MS = 86_400_000;
/** With nothing newly acknowledged, a prune is retried only when the cutoff has moved this much. */
const CUTOFF_STEP_MS = 3_600_000;

export interface RetentionOptions {
  pruner: ChainPruner;
  fill: () => number | undefined;
  backlog: () => number;
  /** Acknowledged records younger than this stay (0: prune as soon as acknowledged, for tests). */
  retainDays: number;
  clock: StampClock;
  events: RuntimeEventBus;
  logger: Logger;
  checkEveryMs?: number;
}

export class StoreRetention implements Feature {
  private timer: NodeJS.Timeout | null = null;
  private pruning: Promise<void> | null = null;
  private last = { ackedThrough: -1, atMono: -Infinity };
  private readonly fullWarning = new LogThrottle(CUTOFF_STEP_MS);
  private started = false;

  constructor(private readonly o: RetentionOptions) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.o.events.on('records-appended', this.onAppended);
    this.timer = setInterval(() => this.check(), this.o.checkEveryMs ?? 60_000);
    this.check();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.o.events.off('records-appended', this.onAppended);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pruning;
  }

  /** A prune now, if one is due (tests and the timer). */
  check(): Promise<void> {
    this.warnIfFull();
    return this.maybePrune();
  }

  private readonly onAppended = (): void => {
    if (this.warnIfFull()) void this.maybePrune();
  };

  private warnIfFull(): boolean {
    const fill = this.o.fill();
    if (fill === undefined || fill < FILL_WARNING) return false;
    const backlog = this.o.backlog();
    this.fullWarning.hit((skipped) =>
      this.o.logger.warn(
        { storeFill: Math.round(fill * 100) / 100, backlog, ...(skipped ? { repeated: skipped } : {}) },
        backlog > 0
          ? 'the device store is filling up: records the gateway has not acknowledged cannot be pruned; check the gateway link'
          : 'the device store is filling up: check store.maxSizeMiB and store.retainDays',
      ),
    );
    return true;
  }

  private maybePrune(): Promise<void> {
    if (this.pruning) return this.pruning;
    const ackedThrough = this.o.pruner.ackedThroughSeq();
    const t = performance.now();
    if (ackedThrough === this.last.ackedThrough && t - this.last.atMono < CUTOFF_STEP_MS) return Promise.resolve();
    this.last = { ackedThrough, atMono: t };
    const cutoff = new Date(this.o.clock.now() - this.o.retainDays * DAY_MS).toISOString();
    this.pruning = this.o.pruner
      .prune(cutoff, () => this.o.clock.iso())
      .then((r) => {
        if (r.records > 0) this.o.logger.debug({ records: r.records, events: r.events, prunedThroughSeq: r.prunedThroughSeq }, 'pruned acknowledged records');
      })
      .catch((err: unknown) => this.o.logger.error({ err: (err as Error).message }, 'pruning the store failed'))
      .finally(() => {
        this.pruning = null;
      });
    return this.pruning;
  }
}
