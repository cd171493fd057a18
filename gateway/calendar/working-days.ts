/**
 * Mainland China's working-day calendar (R7, R13): weekends, statutory holidays and the 调休
 * make-up working days, from the `chinese-days` package, with an optional local override file for
 * years the package does not cover yet (the State Council publishes each year's plan in November).
 * A date in a year with no data is an error, never a guess: a guessed deadline would default a
 * case too early or too late.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const DateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD');

/** Local override: per year, every holiday and every make-up working day of that year. */
export const CalendarOverrideSchema = z.object({
  years: z.record(z.string().regex(/^\d{4}$/, 'year key must be YYYY'), z.object({ holidays: z.array(DateSchema), workdays: z.array(DateSchema) })),
});
export type CalendarOverride = z.infer<typeof CalendarOverrideSchema>;

export class CalendarYearMissingError extends Error {
  constructor(readonly year: number) {
    super(`working-day calendar has no data for ${year}: add it to the calendar override file (holidays and make-up working days from the State Council notice)`);
    this.name = 'CalendarYearMissingError';
  }
}

export interface WorkingDayCalendar {
  isWorkingDay(date: string): boolean;
  /** A statutory holiday (weekend days inside a holiday period too): a hall is closed whatever its weekly hours say. */
  isHoliday(date: string): boolean;
  /** The date n working days after `date` (the date itself not counted); n ≥ 0. */
  addWorkingDays(date: string, n: number): string;
  /** Working days strictly after `from` up to and including `to`. */
  workingDaysBetween(from: string, to: string): number;
  years(): number[];
}

/** The calendar date in China (UTC+8, no DST) of an instant. */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

class SetCalendar implements WorkingDayCalendar {
  constructor(
    private readonly holidays: Set<string>,
    private readonly workdays: Set<string>,
    private readonly covered: Set<number>,
  ) {}

  isWorkingDay(date: string): boolean {
    DateSchema.parse(date);
    const year = Number(date.slice(0, 4));
    if (!this.covered.has(year)) throw new CalendarYearMissingError(year);
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  isHoliday(date: string): boolean {
    DateSchema.parse(date);
    const year = Number(date.slice(0, 4));
    if (!this.covered.has(year)) throw new CalendarYearMissingError(year);
    return this.holidays.has(date);
  }

  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new Error(`addWorkingDays: n must be a whole number ≥ 0, got ${n}`);
    let d = DateSchema.parse(date);
    let left = n;
    while (left > 0) {
      d = nextDate(d);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  workingDaysBetween(from: string, to: string): number {
    let count = 0;
    for (let d = nextDate(DateSchema.parse(from)); d <= DateSchema.parse(to); d = nextDate(d)) {
      if (this.isWorkingDay(d)) count++;
    }
    return count;
  }

  years(): number[] {
    return [...this.covered].sort((a, b) => a - b);
  }
}

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** The package's data, plus the override (an override year replaces the package's year whole). */
export function createChinaCalendar(opts: { override?: CalendarOverride; overrideFile?: string } = {}): WorkingDayCalendar {
  const require = createRequire(import.meta.url);
  const distDir = dirname(require.resolve('chinese-days/dist/chinese-days.json'));
  const data = JSON.parse(readFileSync(join(distDir, 'chinese-days.json'), 'utf8')) as ChineseDaysData;
  const covered = new Set(
    readdirSync(join(distDir, 'years'))
      .map((f) => /^(\d{4})\.json$/.exec(f)?.[1])
      .filter((y): y is string => y !== undefined)
      .map(Number),
  );
  const holidays = new Set(Object.keys(data.holidays));
  const workdays = new Set(Object.keys(data.workdays));
  const override = opts.override ?? (opts.overrideFile ? CalendarOverrideSchema.parse(JSON.parse(readFileSync(opts.overrideFile, 'utf8'))) : undefined);
  if (override) {
    CalendarOverrideSchema.parse(override);
    for (const [y, days] of Object.entries(override.years)) {
      for (const set of [holidays, workdays]) for (const d of [...set]) if (d.startsWith(`${y}-`)) set.delete(d);
      for (const d of days.holidays) {
        if (!d.startsWith(`${y}-`)) throw new Error(`calendar override: holiday ${d} is not in year ${y}`);
        holidays.add(d);
      }
      for (const d of days.workdays) {
        if (!d.startsWith(`${y}-`)) throw new Error(`calendar override: make-up working day ${d} is not in year ${y}`);
        workdays.add(d);
      }
      covered.add(Number(y));
    }
  }
  return new SetCalendar(holidays, workdays, covered);
}
