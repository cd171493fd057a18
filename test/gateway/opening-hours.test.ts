/**
 * Issue 11: when the hall is open, for the device-offline alert — weekly hours in China time on the
 * official calendar (a holiday closed even on a weekday, a weekend make-up day open with its own
 * hours, a weekend holiday closed even with Saturday hours), and the weekly hours alone, reported
 * once, for a year the calendar lacks.
 */
import { describe, expect, it } from 'vitest';
import { createChinaCalendar } from '../../gateway/calendar/working-days.js';
import { OpeningHours } from '../../gateway/devices/opening-hours.js';
import { WatchConfigSchema } from '../../gateway/devices/watch-config.js';

const at = (local: string) => Date.parse(`${local}:00+08:00`);
const calendar = createChinaCalendar();

describe('opening hours', () => {
  const hours = new OpeningHours(WatchConfigSchema.parse({}), calendar);

  it('are Mon–Fri 08:30–12:00 and 13:30–17:30 by default, in China time', () => {
    expect(hours.openSince(at('2026-11-24T08:29'))).toBeNull();
    expect(hours.openSince(at('2026-11-24T08:30'))).toBe(at('2026-11-24T08:30'));
    expect(hours.openSince(at('2026-11-24T11:59'))).toBe(at('2026-11-24T08:30'));
    expect(hours.openSince(at('2026-11-24T12:00'))).toBeNull();
    expect(hours.openSince(at('2026-11-24T15:00'))).toBe(at('2026-11-24T13:30'));
    expect(hours.openSince(at('2026-11-24T17:30'))).toBeNull();
    // 01:00 UTC on a Tuesday is 09:00 in China.
    expect(hours.openSince(Date.parse('2026-11-24T01:00:00Z'))).toBe(at('2026-11-24T08:30'));
    expect(hours.openSince(at('2026-11-21T10:00'))).toBeNull();
  });

  it('follow the calendar: a weekday holiday is closed, a weekend make-up day open', () => {
    expect(hours.openSince(at('2026-10-05T10:00'))).toBeNull();
    expect(hours.openSince(at('2026-10-10T10:00'))).toBe(at('2026-10-10T08:30'));
  });

  it('give a make-up day its own hours, and close a weekend holiday whatever Saturday says', () => {
    const h = new OpeningHours(WatchConfigSchema.parse({ openingHours: { sat: ['09:00-12:00'] }, makeUpDayHours: ['08:00-18:00'] }), calendar);
    expect(h.openSince(at('2026-10-10T17:00'))).toBe(at('2026-10-10T08:00'));
    expect(h.openSince(at('2026-11-21T10:00'))).toBe(at('2026-11-21T09:00'));
    // 2026-10-03 is a Saturday inside the National Day holiday.
    expect(h.openSince(at('2026-10-03T10:00'))).toBeNull();
  });

  it('use the weekly hours for a year the calendar lacks, and say so once', () => {
    const missing: number[] = [];
    const h = new OpeningHours(WatchConfigSchema.parse({}), calendar, (err) => missing.push(err.year));
    expect(h.openSince(at('2031-03-04T10:00'))).toBe(at('2031-03-04T08:30'));
    expect(h.openSince(at('2031-03-05T10:00'))).toBe(at('2031-03-05T08:30'));
    expect(missing).toEqual([2031]);
  });

  it('refuse a schedule that makes no sense, naming the field', () => {
    const r = WatchConfigSchema.safeParse({ openingHours: { mon: ['13:30-17:30', '08:30-12:00'], tue: ['8:30-12:00'] } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['openingHours.mon', 'openingHours.tue.0']));
  });
});
