/**
 * A failure that repeats for as long as its cause lasts — the database gone, and every tick of a
 * loop failing with it — logged as an operator can read it: the first at once, then one line every
 * `everyMs` with how many failed since the line before, and one line when it stops. Logged as they
 * came, ingest's group commits, the job leases' renewals and the live console's polls wrote a line
 * each, several a second per worker, for the whole of an outage.
 */
import type { Logger } from 'pino';

export interface RepeatedFailureOptions {
  /** The line of a failure; its fields say what failed, `failed` how many times since the last line. */
  msg: string;
  /** The line when a success follows failures (none if absent). */
  recovered?: string;
  everyMs: number;
  level?: 'warn' | 'error';
  /** Milliseconds, for the test's clock. */
  now?: () => number;
}

export class RepeatedFailure {
  private failingSince: number | null = null;
  private loggedAt: number | null = null;
  /** Failures not yet counted in a line. */
  private failed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly o: RepeatedFailureOptions,
  ) {}

  /** `count` more failures (a group's batches, say); `fields` describe the latest. */
  fail(fields: object, count = 1): void {
    const now = (this.o.now ?? Date.now)();
    this.failingSince ??= now;
    this.failed += count;
    if (this.loggedAt !== null && now - this.loggedAt < this.o.everyMs) return;
    this.logger[this.o.level ?? 'warn']({ ...fields, failed: this.failed, failingSince: new Date(this.failingSince).toISOString() }, this.o.msg);
    this.loggedAt = now;
    this.failed = 0;
  }

  /** It worked: the failures, if any, are over. */
  succeed(): void {
    if (this.failingSince === null) return;
    if (this.o.recovered) this.logger.info({ failed: this.failed, failingSince: new Date(this.failingSince).toISOString() }, this.o.recovered);
    this.failingSince = null;
    this.loggedAt = null;
    this.failed = 0;
  }
}
