/**
 * When the hall is open: the weekly hours of the `watch` config on mainland China's official
 * calendar — a statutory holiday is closed, a weekend make-up working day (调休) is open with the
 * make-up day's hours — in China time (UTC+8, no DST). The device watch asks this so that a device
 * switched off at night or over the Spring Festival is no alert (docs/DESIGN.md "Device alerts").
 */
import { CalendarYearMissingError, type WorkingDayCalendar } from '../calendar/working-days.js';
import { periodMinutes, type WatchConfig } from './watch-config.js';

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export class OpeningHours {
  /** Years the calendar lacked, each reported once (the weekly hours are used meanwhile). */
  private readonly missingYears = new Set<number>();

  constructor(
    private readonly config: Pick<WatchConfig, 'openingHours' | 'makeUpDayHours'>,
    private readonly calendar: WorkingDayCalendar,
    private readonly onYearMissing: (err: CalendarYearMissingError) => void = () => undefined,
  ) {}

  /** The start (epoch ms) of the opening period `at` falls in, or null when the hall is closed then. */
  openSince(at: number): number | null {
    const local = new Date(at + CHINA_OFFSET_MS);
    const date = local.toISOString().slice(0, 10);
    const dayStart = Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS;
    for (const p of this.hoursOn(date, local.getUTCDay())) {
      const { start, end } = periodMinutes(p);
      if (at >= dayStart + start * 60_000 && at < dayStart + end * 60_000) return dayStart + start * 60_000;
    }
    return null;
  }

  /** The opening periods of a China date (`dow` 0 = Sunday). */
  hoursOn(date: string, dow: number): readonly string[] {
    const weekly = this.config.openingHours[DAY_KEYS[dow]!];
    const weekend = dow === 0 || dow === 6;
    try {
      if (this.calendar.isHoliday(date)) return [];
      if (weekend && this.calendar.isWorkingDay(date)) return this.config.makeUpDayHours ?? this.config.openingHours.mon;
      return weekly;
    } catch (err) {
      if (!(err instanceof CalendarYearMissingError)) throw err;
      // Better to watch by the weekly hours than not at all (hall IT is told to add the year).
      if (!this.missingYears.has(err.year)) {
        this.missingYears.add(err.year);
        this.onYearMissing(err);
      }
      return weekly;
    }
  }
}
