/**
 * The clock the device stamps with: records (`at`), invitation times, events, batches' `sentAt`
 * (issue 10, hole 12). Device clocks are wrong in the field — a dead RTC battery boots them at
 * 1970, some were never synced, NTP steps them mid-run — so the device reads the wall clock once,
 * when its program starts, and from then on adds monotonic elapsed time (`performance.now()`).
 * Within one run of the program (a clock epoch, ./clock-epochs.ts) the stamps' error is then one
 * constant offset, which the gateway measures and corrects; no NTP step can reorder or bunch them.
 */

/** A stamp clock: milliseconds since 1970 as this device tells them. */
export interface StampClock {
  /** Integer ms; never decreases within a run of the program. */
  now(): number;
  /** `now()` as an ISO 8601 time. */
  iso(): string;
}

export interface AnchoredClockOptions {
  /**
   * Added to the wall clock read at the anchor: lets tests and drills run a device whose clock is
   * years ahead or at 1970 (HCP_CLOCK_SKEW_MS, read in device/main.ts only).
   */
  skewMs?: number;
  /** The wall clock, read once. */
  wallNow?: () => number;
  /** A monotonic clock in ms (CLOCK_MONOTONIC under performance.now()). */
  monotonicNow?: () => number;
  /** Drills only: a shift that moves with the drill's shared clock (@hcp/contract/world-clock). */
  worldShiftMs?: () => number;
}

export class AnchoredClock implements StampClock {
  private readonly anchorMs: number;
  private readonly anchorMono: number;
  private readonly mono: () => number;
  private readonly shift: () => number;

  constructor(o: AnchoredClockOptions = {}) {
    this.mono = o.monotonicNow ?? (() => performance.now());
    this.shift = o.worldShiftMs ?? (() => 0);
    this.anchorMs = (o.wallNow ?? Date.now)() + (o.skewMs ?? 0);
    this.anchorMono = this.mono();
  }

  now(): number {
    // floor of a non-decreasing sum: stamps never go back within the run.
    return Math.floor(this.anchorMs + (this.mono() - this.anchorMono) + this.shift());
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }
}
