/**
 * R7: a case not rated within N (5) working days counts as 基本满意. On start and then
 * periodically, every case still `invited` whose deadline has passed gets a system default
 * rating (level 3, pf 7, isDefault 1) in the uplink outbox. Exactly once: the case moves to
 * `defaulted` and the outbox row (assess_id `default-<caseNo>`, UNIQUE) is inserted in one
 * transaction, after linking every rating stored so far (so a rating that arrived just in time wins).
 *
 * "Within N working days" counts from the day after the invitation (China date): invited on
 * Thursday, 5 working days run to the next Thursday; the default is given once that day is over.
 * A year missing from the calendar stops defaults for those cases (logged), never guesses.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { chinaDate, CalendarYearMissingError, type WorkingDayCalendar } from '../calendar/working-days.js';
import { mapDefault, type UplinkProfile } from '../uplink/national-mapping.js';
import { laneOf } from '../uplink/outbox-schema.js';
import { CaseLinker } from './case-linker.js';

export interface DefaultSchedulerOptions {
  db: Database.Database;
  calendar: WorkingDayCalendar;
  profile: UplinkProfile;
  logger: Logger;
  workingDays?: number;
  everyMs?: number;
  now?: () => number;
  /** Called after defaults were enqueued (wake the uplink sender). */
  onDefaulted?: (count: number) => void;
}

interface OpenCase { case_no: string; window_no: string; item_code: string | null; item_name: string | null; staff_id: string | null; invited_at: string }

export class DefaultScheduler {
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly linker: CaseLinker;
  private readonly log: Logger;

  constructor(private readonly o: DefaultSchedulerOptions) {
    this.now = o.now ?? Date.now;
    this.linker = new CaseLinker(o.db);
    this.log = o.logger.child({ ns: 'case-defaults' });
  }

  start(): void {
    this.safeTick();
    this.timer = setInterval(() => this.safeTick(), this.o.everyMs ?? 10 * 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Link ratings, then default overdue cases. Returns how many were defaulted. */
  tick(): number {
    const db = this.o.db;
    const n = this.o.workingDays ?? 5;
    const nowMs = this.now();
    const today = chinaDate(new Date(nowMs));
    const defaulted = db.transaction(() => {
      this.linker.link();
      const open = db.prepare("SELECT case_no, window_no, item_code, item_name, staff_id, invited_at FROM cases WHERE state = 'invited' ORDER BY invited_at").all() as OpenCase[];
      const setState = db.prepare("UPDATE cases SET state = 'defaulted', defaulted_at = ? WHERE case_no = ? AND state = 'invited'");
      const enqueue = db.prepare("INSERT OR IGNORE INTO uplink_outbox (assess_id, order_key, lane, at, payload, state, enqueued_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)");
      const deadlineOf = new Map<string, string | null>();
      const at = new Date(nowMs);
      let count = 0;
      for (const c of open) {
        const invitedDay = chinaDate(new Date(c.invited_at));
        if (!deadlineOf.has(invitedDay)) {
          try {
            deadlineOf.set(invitedDay, this.o.calendar.addWorkingDays(invitedDay, n));
          } catch (err) {
            if (!(err instanceof CalendarYearMissingError)) throw err;
            this.log.error({ year: err.year }, err.message);
            deadlineOf.set(invitedDay, null);
          }
        }
        const deadline = deadlineOf.get(invitedDay);
        if (!deadline || today <= deadline) continue;
        if (setState.run(at.toISOString(), c.case_no).changes !== 1) continue;
        const payload = mapDefault({ caseNo: c.case_no, windowId: c.window_no, itemCode: c.item_code, itemName: c.item_name, staffId: c.staff_id }, at, this.o.profile);
        enqueue.run(payload.assessId, `case:${c.case_no}`, laneOf(`case:${c.case_no}`), at.toISOString(), JSON.stringify(payload), at.toISOString());
        count++;
      }
      return count;
    }).immediate();
    if (defaulted > 0) {
      this.log.info({ defaulted }, 'unrated cases given the default rating');
      this.o.onDefaulted?.(defaulted);
    }
    return defaulted;
  }

  private safeTick(): void {
    try {
      this.tick();
    } catch (err) {
      this.log.error({ err }, 'default tick failed; will retry');
    }
  }
}
