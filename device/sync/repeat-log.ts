/**
 * Identical warnings (and repeating news) logged once, then as a count at most once per period
 * (issue 10, hole 9): an offline village point logged an MQTT error every 1–2 s, some 60,000 lines
 * a day, and buried everything else. Each kind of warning (its key) has its own LogThrottle. Nothing resets one when
 * the condition clears: after a quiet period the next occurrence is logged at once anyway, and a
 * flapping link stays at one line per period.
 */
import type { Logger } from 'pino';
import { LogThrottle } from '../hardware/log-throttle.js';

/** Keys are kinds of warning with their error text; a bound keeps an odd stream of texts from growing the map. */
const MAX_KEYS = 64;

export class RepeatedLogs {
  private readonly throttles = new Map<string, LogThrottle>();

  constructor(
    private readonly logger: Logger,
    private readonly periodMs: number,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    this.throttle(key).hit((skipped) => this.logger.warn({ ...fields, ...(skipped ? { repeated: skipped } : {}) }, message));
  }

  /** The same for news that can repeat all day on a flapping link ("connected"). */
  info(key: string, fields: Record<string, unknown>, message: string): void {
    this.throttle(key).hit((skipped) => this.logger.info({ ...fields, ...(skipped ? { repeated: skipped } : {}) }, message));
  }

  private throttle(key: string): LogThrottle {
    let t = this.throttles.get(key);
    if (!t) {
      if (this.throttles.size >= MAX_KEYS) this.throttles.delete(this.throttles.keys().next().value!);
      this.throttles.set(key, (t = new LogThrottle(this.periodMs)));
    }
    return t;
  }
}
