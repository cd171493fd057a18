/**
 * R7: a case not rated within N (5) working days counts as 基本满意 (docs/RULES.md R7). Each case
 * gets its deadline date when it is created — the Nth working day after the day it came (China
 * date; holidays and make-up working days from the official calendar); on start and then
 * periodically, every case still open after its deadline day gets its default (case-defaults.ts),
 * after assessing every record stored so far (a rating that came in time wins). Exactly once: the
 * case moves to `defaulted` in the same transaction as the default is written.
 *
 * A year missing from the calendar leaves those cases without a deadline (logged, and retried
 * every run), never a guessed one.
 */
import type { Logger } from 'pino';
import { chinaDate, CalendarYearMissingError, type WorkingDayCalendar } from '../calendar/working-days.js';
import type { Clock } from '../feature.js';
import { deadlineEnd, giveDefault } from '../ratings/case-defaults.js';
import type { GatewayStore } from '../store/database.js';
import { leasesOf } from '../workers/job-lease.js';

export interface DefaultSchedulerOptions {
  store: GatewayStore;
  calendar: WorkingDayCalendar;
  clock: Clock;
  logger: Logger;
  workingDays: number;
  /** Assess everything stored so far (a rating pressed in time must win over the default). */
  catchUp: () => Promise<void>;
  /** Called after defaults were written. */
  onDefaulted: (count: number) => void;
  everyMs?: number;
}

export class DefaultScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly o: DefaultSchedulerOptions) {}

  /** The last date on which a case created at `createdAtMs` can be rated in time, or null if the calendar lacks the year. */
  deadlineFor(createdAtMs: number): string | null {
    try {
      return this.o.calendar.addWorkingDays(chinaDate(new Date(createdAtMs)), this.o.workingDays);
    } catch (err) {
      if (!(err instanceof CalendarYearMissingError)) throw err;
      this.o.logger.error({ year: err.year }, err.message);
      return null;
    }
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tickSafely(), this.o.everyMs ?? 60_000);
    this.timer.unref();
    await this.tickSafely();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Give every overdue open case its default; returns how many. One run at a time. */
  tick(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<number> {
    await this.o.catchUp();
    const now = this.o.clock.now();
    const nowIso = new Date(now).toISOString();
    const count = await this.o.store.write(async (trx) => {
      for (const c of await trx.selectFrom('cases').select(['case_no', 'created_at']).where('state', '=', 'open').where('deadline_date', 'is', null).execute()) {
        const deadline = this.deadlineFor(Date.parse(c.created_at));
        if (deadline) await trx.updateTable('cases').set({ deadline_date: deadline }).where('case_no', '=', c.case_no).execute();
      }
      // deadline_date < today's China date: the deadline day is over.
      const overdue = await trx
        .selectFrom('cases')
        .selectAll()
        .where('state', '=', 'open')
        .where('deadline_date', '<', chinaDate(new Date(now)))
        .orderBy('created_at')
        .execute();
      let n = 0;
      for (const c of overdue) if (deadlineEnd(c.deadline_date!) <= now && (await giveDefault(trx, c, nowIso))) n++;
      return n;
    });
    if (count > 0) {
      this.o.logger.info({ defaulted: count }, 'unrated cases given the default rating (R7)');
      this.o.onDefaulted(count);
    }
    return count;
  }

  private async tickSafely(): Promise<void> {
    // Several workers: the one holding the lease gives the defaults.
    if (!leasesOf(this.o.store).holds('r7-defaults')) return;
    try {
      await this.tick();
    } catch (err) {
      this.o.logger.error({ err }, 'default run failed; will retry');
    }
  }
}
