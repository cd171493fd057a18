/**
 * Line noise or a confused board can produce a malformed message every few milliseconds; hall IT
 * needs to know it happens, not read it a thousand times. The first occurrence is logged at once,
 * then at most one summary (with the count) per period.
 */
export class LogThrottle {
  private suppressed = 0;
  private lastAt = -Infinity;

  constructor(
    private readonly periodMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Call for each occurrence; `log` runs when this one should be written, with how many were skipped. */
  hit(log: (skipped: number) => void): void {
    const t = this.now();
    if (t - this.lastAt < this.periodMs) {
      this.suppressed += 1;
      return;
    }
    const skipped = this.suppressed;
    this.suppressed = 0;
    this.lastAt = t;
    log(skipped);
  }
}
