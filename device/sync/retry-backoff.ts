/**
 * Retry pacing of the gateway sync (issue 10, hole 9): waits double from `initialMs` up to
 * `maxMs`, each drawn from the upper half of its step ("equal jitter"). The serial links' Backoff
 * (device/hardware/link-backoff.ts) jitters by ±15 %, enough for panels on one hub; here a whole
 * hall loses the gateway at the same moment when it restarts, and half a step spreads their
 * reconnects across the window instead of landing them in the same second.
 */
import { setTimeout as delay } from 'node:timers/promises';

export class RetryBackoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt; each call doubles the step after it. */
  next(): number {
    const step = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Sleep that ends early, without throwing, when the signal aborts: stop() never waits out a back-off. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    /* aborted: the caller checks the signal */
  }
}
