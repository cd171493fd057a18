/**
 * Reconnect pacing of the serial links: doubling delays up to a ceiling, reset once a link is up,
 * with a little jitter so 200 panels behind one USB hub do not retry in lockstep after a power dip.
 */
import { setTimeout as delay } from 'node:timers/promises';

export class Backoff {
  private next: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.next = initialMs;
  }

  /** The delay before the next attempt; each call doubles the one after it. */
  take(): number {
    const ms = this.next;
    this.next = Math.min(this.maxMs, this.next * 2);
    return Math.round(ms * (0.85 + 0.3 * this.random()));
  }

  reset(): void {
    this.next = this.initialMs;
  }
}

/** Sleep that ends early (without throwing) when the signal aborts: stop() must not wait out a backoff. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    /* aborted: the caller checks its own state */
  }
}
