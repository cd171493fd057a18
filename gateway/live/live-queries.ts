/**
 * The live hall's figures (the console's 实时大厅 and 大屏): one day's ratings per window and per
 * department, the five-level distribution beside every rate, and the recent feed. How each rate is
 * computed: docs/NATIONAL-SPEC.md "After the rating: the measures" (好评率 counts R7 defaults,
 * 主动评价好评率 does not; a default that a real rating replaced counts no more; a written-off rating
 * counts no more either, RULES.md R14). Only levels and
 * places — never who rated.
 */
import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export type Levels = { 1: number; 2: number; 3: number; 4: number; 5: number };

export interface Tally {
  count: number;
  levels: Levels;
  /** Of them, R7 system defaults. */
  defaults: number;
  /** 差评: 不满意 and 非常不满意 (R1). */
  bad: number;
  /** 好评率, null when there is no rating. */
  goodRate: number | null;
  /** 主动评价好评率 (defaults left out), null when there is no active rating. */
  activeGoodRate: number | null;
}

export interface LiveSummary {
  date: string;
  goodLevels: number[];
  totals: Tally;
  windows: Array<Tally & { windowId: string; number: string | null; department: string | null; departmentId: string | null }>;
  departments: Array<Tally & { departmentId: string | null; department: string | null }>;
  /** Ratings per hour of the day (China time), 0–23. */
  hours: Array<{ hour: number; count: number; bad: number }>;
}

interface Row {
  window_id: string | null;
  window_number: string | null;
  department: string | null;
  department_id: string | null;
  level: number;
  is_default: number;
  n: number;
}

function emptyTally(): Tally {
  return { count: 0, levels: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, defaults: 0, bad: 0, goodRate: null, activeGoodRate: null };
}

function add(t: Tally & { good?: number; activeGood?: number }, r: Row, good: Set<number>): void {
  t.count += r.n;
  t.levels[r.level as keyof Levels] += r.n;
  if (r.is_default) t.defaults += r.n;
  if (r.level <= 2) t.bad += r.n;
  if (good.has(r.level)) {
    t.good = (t.good ?? 0) + r.n;
    if (!r.is_default) t.activeGood = (t.activeGood ?? 0) + r.n;
  }
}

function finish<T extends Tally & { good?: number; activeGood?: number }>(t: T): Omit<T, 'good' | 'activeGood'> {
  const { good = 0, activeGood = 0, ...rest } = t;
  const active = t.count - t.defaults;
  return { ...rest, goodRate: t.count ? good / t.count : null, activeGoodRate: active ? activeGood / active : null };
}

/** The day's figures; `departments` limits them to those (a department head), null for the hall. */
export async function liveSummary(db: Db, date: string, departments: string[] | null, goodLevels: number[]): Promise<LiveSummary> {
  const good = new Set(goodLevels);
  const base = () => {
    // A written-off rating (核销, R14) stays stored and listed but leaves every figure.
    let q = db
      .selectFrom('assessments')
      .where('china_date', '=', date)
      .where('superseded_by', 'is', null)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('write_offs as wo').select('wo.assess_id').whereRef('wo.assess_id', '=', 'assessments.assess_id'))));
    if (departments !== null) q = q.where('department_id', 'in', departments.length ? departments : ['\u0000']);
    return q;
  };
  const rows = (await base()
    .select(['window_id', 'window_number', 'department', 'department_id', 'level', 'is_default', sql<number>`count(*)`.as('n')])
    .groupBy(['window_id', 'window_number', 'department', 'department_id', 'level', 'is_default'])
    .execute()) as Row[];
  // The hour in China of pressed_at (ISO UTC text): characters 12–13, shifted by 8.
  const hourRows = await base()
    .select([
      sql<number>`(cast(substr(pressed_at, 12, 2) as integer) + 8) % 24`.as('hour'),
      sql<number>`count(*)`.as('n'),
      sql<number>`sum(case when level <= 2 then 1 else 0 end)`.as('bad'),
    ])
    .groupBy(sql`(cast(substr(pressed_at, 12, 2) as integer) + 8) % 24`)
    .execute();
  const totals = emptyTally();
  const windows = new Map<string, Tally & { windowId: string; number: string | null; department: string | null; departmentId: string | null }>();
  const depts = new Map<string, Tally & { departmentId: string | null; department: string | null }>();
  for (const r of rows) {
    add(totals, r, good);
    const wk = r.window_id ?? '';
    if (!windows.has(wk)) windows.set(wk, { ...emptyTally(), windowId: wk, number: r.window_number, department: r.department, departmentId: r.department_id });
    add(windows.get(wk)!, r, good);
    const dk = r.department_id ?? '';
    if (!depts.has(dk)) depts.set(dk, { ...emptyTally(), departmentId: r.department_id, department: r.department });
    add(depts.get(dk)!, r, good);
  }
  const hours = Array.from({ length: 24 }, (_, hour) => {
    const h = hourRows.find((x) => Number(x.hour) === hour);
    return { hour, count: Number(h?.n ?? 0), bad: Number(h?.bad ?? 0) };
  });
  return {
    date,
    goodLevels: [...good].sort(),
    totals: finish(totals),
    windows: [...windows.values()].map(finish).sort((a, b) => (a.number ?? '').localeCompare(b.number ?? '')),
    departments: [...depts.values()].map(finish).sort((a, b) => b.count - a.count),
    hours,
  };
}

export interface FeedItem {
  seq: number;
  assessId: string;
  change: string;
  pressedAt: string;
  windowId: string | null;
  windowNumber: string | null;
  department: string | null;
  departmentId: string | null;
  staffId: string | null;
  level: number;
  bad: boolean;
  reasons: number[] | null;
  channel: string;
  isDefault: boolean;
}

/**
 * Ledger changes after `afterSeq` (created, details), newest last; the console's live feed. No
 * case number: with it and the business system, a viewer could tell who gave which rating (R10).
 */
export async function liveFeed(db: Db, afterSeq: number, limit: number, departments: string[] | null): Promise<FeedItem[]> {
  let q = db
    .selectFrom('assessment_log as l')
    .innerJoin('assessments as a', 'a.assess_id', 'l.assess_id')
    .select([
      'l.seq',
      'l.change',
      'a.assess_id',
      'a.pressed_at',
      'a.window_id',
      'a.window_number',
      'a.department',
      'a.department_id',
      'a.staff_id',
      'a.level',
      'a.reasons',
      'a.channel',
      'a.is_default',
    ])
    .where('l.seq', '>', afterSeq)
    .where('l.change', 'in', ['created', 'details'])
    .orderBy('l.seq', afterSeq > 0 ? 'asc' : 'desc')
    .limit(limit);
  if (departments !== null) q = q.where('a.department_id', 'in', departments.length ? departments : ['\u0000']);
  const rows = await q.execute();
  const items = rows.map((r) => ({
    seq: r.seq,
    assessId: r.assess_id,
    change: r.change,
    pressedAt: r.pressed_at,
    windowId: r.window_id,
    windowNumber: r.window_number,
    department: r.department,
    departmentId: r.department_id,
    staffId: r.staff_id,
    level: r.level,
    bad: r.level <= 2,
    reasons: r.reasons ? (JSON.parse(r.reasons) as number[]) : null,
    channel: r.channel,
    isDefault: r.is_default === 1,
  }));
  return afterSeq > 0 ? items : items.reverse();
}

/** The newest log position, where a live feed starts. */
export async function lastLogSeq(db: Db): Promise<number> {
  const r = await db
    .selectFrom('assessment_log')
    .select((eb) => eb.fn.max('seq').as('s'))
    .executeTakeFirst();
  return Number(r?.s ?? 0);
}
