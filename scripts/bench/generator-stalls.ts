/**
 * What the load generator itself did during a latency round (LATENCY_DETAIL=1, latency.ts): its
 * event loop's stalls over 15 ms and its garbage collections over 5 ms, each at its time into the
 * round, beside the 20 slowest acks at the time each was sent. A cluster of slow acks at a time the
 * generator stalled is (at least partly) the bench's own delay, not the gateway's; one where the
 * generator ran freely is the gateway's, or the machine's.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';

const STALL_MS = 15;
const GC_MS = 5;
/** The kinds' names gc-observer.mjs prints for the gateway's collections. */
const GC_KIND: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'Mark-Compact',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'Incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'Weak-callbacks',
};

export class GeneratorWatch {
  private readonly stalls: string[] = [];
  private readonly collections: string[] = [];
  private readonly acks: Array<{ sentAt: number; ms: number }> = [];
  private readonly observer: PerformanceObserver;
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly t0: number) {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        if (e.duration > GC_MS)
          this.collections.push(
            `${this.at(e.startTime)} ${GC_KIND[(e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'gc'} ${e.duration.toFixed(0)} ms`,
          );
    });
    this.observer.observe({ entryTypes: ['gc'] });
    let last = performance.now();
    this.ticker = setInterval(() => {
      const now = performance.now();
      if (now - last > STALL_MS) this.stalls.push(`${this.at(last)} ${(now - last).toFixed(0)} ms`);
      last = now;
    }, 2);
  }

  ack(sentAt: number, ms: number): void {
    this.acks.push({ sentAt, ms });
  }

  /** Stops watching; the round's lines. */
  report(): string {
    clearInterval(this.ticker);
    this.observer.disconnect();
    const slowest = this.acks.sort((a, b) => b.ms - a.ms).slice(0, 20);
    return [
      `  load generator stalls over ${STALL_MS} ms: ${this.stalls.join(', ') || 'none'}`,
      `  load generator collections over ${GC_MS} ms: ${this.collections.join(', ') || 'none'}`,
      `  slowest acks (sent at: took): ${slowest.map((a) => `${this.at(a.sentAt)}: ${a.ms.toFixed(0)} ms`).join(', ') || 'none'}`,
    ].join('\n');
  }

  private at(t: number): string {
    return `${((t - this.t0) / 1000).toFixed(2)} s`;
  }
}
