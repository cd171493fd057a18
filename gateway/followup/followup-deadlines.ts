/**
 * Deadlines of a 差评's follow-up (RULES.md R13) on the official calendar (calendar/working-days.ts):
 *  - opened: the profile's complex deadline from the day the 差评 was received — the longest a
 *    follow-up may take, visible from the start;
 *  - 立行立改: the end of the profile's allowance (the next working day) after the decision, never
 *    later than the deadline already set;
 *  - 限期整改: the general or complex deadline from the day received (Linzi's 7 or 15 natural days),
 *    or a nearer day the handler sets;
 *  - an extension moves the due day by its days, in the profile's unit;
 *  - after a bad 再评价 the follow-up is reopened with a fresh complex deadline from that day.
 * Natural days are counted as natural days, never converted. A due day ends at midnight China time
 * (`due_at`). A year the calendar lacks is an error (CalendarYearMissingError), never a guess.
 */
import { chinaDate, type WorkingDayCalendar } from '../calendar/working-days.js';
import type { DayRule, DeadlineProfile } from './followup-config.js';

const DAY_MS = 86_400_000;

function addNaturalDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export class FollowupDeadlines {
  constructor(
    private readonly calendar: WorkingDayCalendar,
    readonly profile: DeadlineProfile,
    private readonly escalateEveryWorkingDays: number,
  ) {}

  /** The China date `rule` after `date` (the date itself not counted). */
  add(date: string, rule: DayRule): string {
    return rule.unit === 'natural' ? addNaturalDays(date, rule.days) : this.calendar.addWorkingDays(date, rule.days);
  }

  /** The instant a due day is over: midnight at its end, China time (UTC+8). */
  endOf(date: string): string {
    return new Date(Date.parse(`${date}T00:00:00+08:00`) + DAY_MS).toISOString();
  }

  /** When a follow-up received (or reopened) at `atIso` is due at the latest. */
  onOpening(atIso: string): string {
    return this.add(chinaDate(new Date(atIso)), this.profile.complex);
  }

  /** 立行立改 decided at `atIso`: the end of the allowance, or the current due day if that is sooner. */
  immediate(atIso: string, current: string | null): string {
    const today = chinaDate(new Date(atIso));
    const due = this.profile.immediateWorkingDays === 0 ? today : this.calendar.addWorkingDays(today, this.profile.immediateWorkingDays);
    return current !== null && current < due ? current : due;
  }

  /** 限期整改 of a problem of this category, counted from the day the follow-up was received (or reopened). */
  forCategory(fromIso: string, category: 'general' | 'complex'): string {
    const rule = category === 'general' ? (this.profile.general ?? this.profile.complex) : this.profile.complex;
    return this.add(chinaDate(new Date(fromIso)), rule);
  }

  /** The due day after an extension of `days`. */
  extended(dueDate: string, days: number): string {
    return this.add(dueDate, { days, unit: this.profile.extension.unit });
  }

  /** When a follow-up still not rectified goes up to escalation level `level` (1 = at the end of the due day). */
  escalationAt(dueDate: string, level: number): string {
    if (level <= 1) return this.endOf(dueDate);
    return this.endOf(this.calendar.addWorkingDays(dueDate, (level - 1) * this.escalateEveryWorkingDays));
  }
}
