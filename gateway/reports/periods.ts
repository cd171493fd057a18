/**
 * Report periods: a month (`2026-11`) or a quarter (`2026-Q4`), as China dates (UTC+8, the ledger's
 * `china_date`), and when each is due by the schedule (the N-th day of the month after it, at a time
 * of day in China).
 */
import { chinaDate } from '../calendar/working-days.js';

export type ReportKind = 'monthly' | 'quarterly';
export const REPORT_KINDS: readonly ReportKind[] = ['monthly', 'quarterly'];

export interface Period {
  kind: ReportKind;
  /** `2026-11` or `2026-Q4`. */
  period: string;
  /** First and last China date, both included. */
  from: string;
  to: string;
  /** Its months, `YYYY-MM` (one for a monthly period). */
  months: string[];
}

export interface ScheduleAt {
  /** Day of the month after the period (1–28). */
  day: number;
  /** `HH:MM`, China time. */
  at: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const monthKey = (y: number, m: number) => `${y}-${pad(m)}`;

function monthPeriod(y: number, m: number): Period {
  const key = monthKey(y, m);
  return { kind: 'monthly', period: key, from: `${key}-01`, to: `${key}-${pad(lastDay(y, m))}`, months: [key] };
}

function quarterPeriod(y: number, q: number): Period {
  const first = (q - 1) * 3 + 1;
  const months = [0, 1, 2].map((i) => monthKey(y, first + i));
  return { kind: 'quarterly', period: `${y}-Q${q}`, from: `${months[0]}-01`, to: `${months[2]}-${pad(lastDay(y, first + 2))}`, months };
}

/** The period named, or a message saying what is wrong with the name. */
export function parsePeriod(kind: ReportKind, period: string): Period | { error: string } {
  if (kind === 'monthly') {
    const m = /^(\d{4})-(\d{2})$/.exec(period);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return { error: `period: a monthly report's period is YYYY-MM, not "${period}"` };
    return monthPeriod(Number(m[1]), Number(m[2]));
  }
  const q = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!q) return { error: `period: a quarterly report's period is YYYY-Q1 … YYYY-Q4, not "${period}"` };
  return quarterPeriod(Number(q[1]), Number(q[2]));
}

/** parsePeriod for names known to be good. */
export function periodOf(kind: ReportKind, period: string): Period {
  const p = parsePeriod(kind, period);
  if ('error' in p) throw new Error(p.error);
  return p;
}

/** The month before `month` (`YYYY-MM`). */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? monthKey(y - 1, 12) : monthKey(y, m - 1);
}

/** The period of the same kind just before `p`. */
export function previousPeriod(p: Period): Period {
  if (p.kind === 'monthly') return periodOf('monthly', previousMonth(p.period));
  const [y, q] = [Number(p.period.slice(0, 4)), Number(p.period.slice(6))];
  return q === 1 ? quarterPeriod(y - 1, 4) : quarterPeriod(y, q - 1);
}

/** The period of `kind` that holds the China date `date`. */
export function periodContaining(kind: ReportKind, date: string): Period {
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  return kind === 'monthly' ? monthPeriod(y, m) : quarterPeriod(y, Math.floor((m - 1) / 3) + 1);
}

/** Whether the whole period is over by `nowMs` (its last China date is before today's). */
export function periodEnded(p: Period, nowMs: number): boolean {
  return p.to < chinaDate(new Date(nowMs));
}

/** The instant the schedule makes `p` due: day `day` of the month after it, at `at` China time. */
export function dueAt(p: Period, s: ScheduleAt): number {
  const [y, m] = [Number(p.to.slice(0, 4)), Number(p.to.slice(5, 7))];
  const next = m === 12 ? monthKey(y + 1, 1) : monthKey(y, m + 1);
  return Date.parse(`${next}-${pad(s.day)}T${s.at}:00+08:00`);
}

/** The latest period of `kind` that the schedule has made due by `nowMs`. */
export function latestDue(kind: ReportKind, nowMs: number, s: ScheduleAt): Period {
  let p = previousPeriod(periodContaining(kind, chinaDate(new Date(nowMs))));
  while (dueAt(p, s) > nowMs) p = previousPeriod(p);
  return p;
}
