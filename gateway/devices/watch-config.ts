/**
 * The `watch` section of the gateway config: when the hall is open (a weekly schedule on the
 * official working-day calendar), how often the device watch looks, and the thresholds of the
 * device and security alerts (docs/DESIGN.md "Device alerts"; RULES.md R19). Every field has a
 * default, so a config without the section watches a Mon–Fri 08:30–12:00, 13:30–17:30 hall.
 */
import { z } from 'zod';

/** `HH:MM-HH:MM` in China time (UTC+8); `24:00` may end a period. */
const PeriodSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: 'a period is HH:MM-HH:MM in China time, e.g. 08:30-12:00', abort: true })
  .refine((p) => periodMinutes(p).start < periodMinutes(p).end, 'a period must end after it starts (one that crosses midnight is two periods)');

/** A day's opening periods, in order and apart. */
const DayHoursSchema = z
  .array(PeriodSchema)
  .max(8)
  .refine((ps) => ps.every((p, i) => i === 0 || periodMinutes(ps[i - 1]!).end <= periodMinutes(p).start), 'periods must be in order and must not overlap');

const WEEKDAY_HOURS = ['08:30-12:00', '13:30-17:30'];

export const WatchConfigSchema = z
  .object({
    /** How often the watch looks at devices, chain gaps and security events. */
    everyMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** Opening hours per weekday on a working day; a holiday is closed whatever these say. */
    openingHours: z
      .object({
        mon: DayHoursSchema.default(WEEKDAY_HOURS),
        tue: DayHoursSchema.default(WEEKDAY_HOURS),
        wed: DayHoursSchema.default(WEEKDAY_HOURS),
        thu: DayHoursSchema.default(WEEKDAY_HOURS),
        fri: DayHoursSchema.default(WEEKDAY_HOURS),
        sat: DayHoursSchema.default([]),
        sun: DayHoursSchema.default([]),
      })
      .strict()
      .prefault({}),
    /** Hours of a weekend make-up working day (调休); Monday's when not set. */
    makeUpDayHours: DayHoursSchema.optional(),
    /** Holidays and make-up working days for years the calendar package lacks (calendar/working-days.ts). */
    calendarOverrideFile: z.string().optional(),
    /** A device offline this long within one opening period raises `device-offline`. */
    offlineAfterMin: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
    /** `backlog-growing`: the last this many status reports each higher than the one before … */
    backlogRisingReports: z.number().int().min(2).max(60).default(3),
    /** … and the latest at least this many records. */
    backlogFloor: z.number().int().min(0).default(50),
    /** `store-nearly-full` at this fill of the device store (0–1). */
    storeFillAlert: z.number().min(0.5).max(1).default(0.8),
    /** `clock-skew` when a device clock is this far off the gateway's. */
    clockSkewAlertSec: z.number().int().min(1).default(300),
    /** `security`: this many refusals of one kind from one source … */
    securityFloodEvents: z.number().int().min(2).default(20),
    /** … within this many minutes; the alert clears after as long a quiet. */
    securityFloodWindowMin: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
  })
  .strict()
  .prefault({});
export type WatchConfig = z.infer<typeof WatchConfigSchema>;

/** Minutes after midnight of a period's start and end. */
export function periodMinutes(period: string): { start: number; end: number } {
  const [a, b] = period.split('-') as [string, string];
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return { start: m(a), end: m(b) };
}
