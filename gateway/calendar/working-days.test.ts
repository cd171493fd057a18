import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getDayDetail } from 'chinese-days';
import { CalendarYearMissingError, chinaDate, createChinaCalendar } from './working-days.js';

const cal = createChinaCalendar();

describe('China working-day calendar', () => {
  it('agrees with chinese-days on every day of 2025 and 2026', () => {
    for (let d = new Date('2025-01-01T00:00:00Z'); d < new Date('2027-01-01T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) {
      const day = d.toISOString().slice(0, 10);
      expect(cal.isWorkingDay(day), day).toBe(getDayDetail(day).work);
    }
  });

  it('National Day 2025: Oct 1-8 off, Sun Sep 28 and Sat Oct 11 are make-up working days', () => {
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday, 调休
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday, 调休
    for (let i = 1; i <= 8; i++) expect(cal.isWorkingDay(`2025-10-0${i}`)).toBe(false);
    // Fri Sep 26 + 5 working days: Sep 28 (Sun, make-up), 29, 30, Oct 9, 10.
    expect(cal.addWorkingDays('2025-09-26', 5)).toBe('2025-10-10');
    expect(cal.addWorkingDays('2025-09-26', 6)).toBe('2025-10-11');
    expect(cal.workingDaysBetween('2025-09-26', '2025-10-10')).toBe(5);
  });

  it('Spring Festival 2026: Feb 15-23 off, Sat Feb 14 and Sat Feb 28 are make-up working days', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
    expect(cal.isWorkingDay('2026-02-16')).toBe(false); // Monday in the holiday
    // Thu Feb 12: 13, 14 (Sat make-up), 24, 25, 26.
    expect(cal.addWorkingDays('2026-02-12', 5)).toBe('2026-02-26');
  });

  it('a year with no data is a clear error, not a guess; an override supplies it', () => {
    expect(() => cal.isWorkingDay('2031-03-03')).toThrow(CalendarYearMissingError);
    expect(() => cal.addWorkingDays('2026-12-28', 10)).toThrow(/no data for 2027/);
    const dir = mkdtempSync(join(tmpdir(), 'cal-'));
    const file = join(dir, 'calendar.json');
    writeFileSync(file, JSON.stringify({ years: { '2027': { holidays: ['2027-01-01'], workdays: ['2027-01-02'] } } }));
    const withOverride = createChinaCalendar({ overrideFile: file });
    expect(withOverride.isWorkingDay('2027-01-01')).toBe(false);
    expect(withOverride.isWorkingDay('2027-01-02')).toBe(true); // Saturday made a working day
    expect(withOverride.addWorkingDays('2026-12-30', 3)).toBe('2027-01-04');
    expect(() => createChinaCalendar({ override: { years: { '2027': { holidays: ['2028-01-01'], workdays: [] } } } })).toThrow(/not in year 2027/);
    expect(() => cal.isWorkingDay('2025/10/01')).toThrow(/YYYY-MM-DD/);
  });

  it('chinaDate uses UTC+8', () => {
    expect(chinaDate(new Date('2025-09-30T16:30:00Z'))).toBe('2025-10-01');
  });
});
