/**
 * The integrity report over the ratings ledger (R11): per window and per staff, how many ratings
 * and how many of each integrity flag, and the ratings behind a flag. Only device ratings carry
 * integrity facts (a system default has none: `flags` is null); only system defaults are ever
 * superseded, so no filter on `superseded_by` is needed. Nothing here says who rated: no case,
 * no reasons or comment, no contact — when, where, whom, which level, and the press's facts.
 */
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { INTEGRITY_FLAGS, type IntegrityFlag } from './integrity-flags.js';

export type FlagCounts = Record<IntegrityFlag, number>;

export interface IntegrityTally {
  ratings: number;
  /** Ratings with at least one flag. */
  flagged: number;
  flags: FlagCounts;
}

export interface IntegrityScope {
  from: string;
  to: string;
  /** A department head's departments; null for the whole hall. */
  departments: string[] | null;
}

const emptyTally = (): IntegrityTally => ({ ratings: 0, flagged: 0, flags: Object.fromEntries(INTEGRITY_FLAGS.map((f) => [f, 0])) as FlagCounts });

function add(into: IntegrityTally, t: IntegrityTally): void {
  into.ratings += t.ratings;
  into.flagged += t.flagged;
  for (const f of INTEGRITY_FLAGS) into.flags[f] += t.flags[f];
}

/** `flags` holds JSON.stringify of the device's array (assessor.ts): `["fast-press","burst"]`. */
const hasFlag = (flag: IntegrityFlag) => `%"${flag}"%`;

/** One pass over the date range, by (window, staff), from the covering index assessments_integrity. */
export function integrityTalliesQuery(db: Db, scope: IntegrityScope) {
  const q = db
    .selectFrom('assessments')
    .select((eb) => [
      'window_id',
      'staff_id',
      eb.fn.countAll<number>().as('ratings'),
      sql<number>`sum(case when flags <> '[]' then 1 else 0 end)`.as('flagged'),
      ...INTEGRITY_FLAGS.map((f, i) => sql<number>`sum(case when flags like ${hasFlag(f)} then 1 else 0 end)`.as(`f${i}`)),
    ])
    .where('china_date', '>=', scope.from)
    .where('china_date', '<=', scope.to)
    .where('flags', 'is not', null)
    .groupBy(['window_id', 'staff_id']);
  return scope.departments === null ? q : q.where('department_id', 'in', scope.departments);
}

export async function integrityTallies(db: Db, scope: IntegrityScope) {
  // A department head without a department sees nothing (and `in ()` is no SQL).
  if (scope.departments?.length === 0) return [];
  const rows = (await integrityTalliesQuery(db, scope).execute()) as Array<
    { window_id: string | null; staff_id: string | null; ratings: number; flagged: number } & Record<string, unknown>
  >;
  return rows.map((r) => ({
    windowId: r.window_id,
    staffId: r.staff_id,
    tally: {
      ratings: Number(r.ratings),
      flagged: Number(r.flagged),
      flags: Object.fromEntries(INTEGRITY_FLAGS.map((f, i) => [f, Number(r[`f${i}`] ?? 0)])) as FlagCounts,
    },
  }));
}

/** The report: totals, per window (with its number and department), per staff (with number and name). */
export async function integrityReport(db: Db, scope: IntegrityScope) {
  const tallies = await integrityTallies(db, scope);
  const totals = emptyTally();
  const byWindow = new Map<string | null, IntegrityTally>();
  const byStaff = new Map<string | null, IntegrityTally & { windowIds: Set<string> }>();
  for (const t of tallies) {
    add(totals, t.tally);
    const w = byWindow.get(t.windowId) ?? emptyTally();
    add(w, t.tally);
    byWindow.set(t.windowId, w);
    const s = byStaff.get(t.staffId) ?? { ...emptyTally(), windowIds: new Set<string>() };
    add(s, t.tally);
    if (t.windowId) s.windowIds.add(t.windowId);
    byStaff.set(t.staffId, s);
  }
  const windows = new Map((await db.selectFrom('windows').select(['window_id', 'number', 'department']).execute()).map((w) => [w.window_id, w]));
  const staffIds = [...byStaff.keys()].filter((id): id is string => id !== null);
  const staff = new Map(
    staffIds.length ? (await db.selectFrom('staff').select(['staff_id', 'staff_no', 'name']).where('staff_id', 'in', staffIds).execute()).map((s) => [s.staff_id, s]) : [],
  );
  return {
    totals,
    windows: [...byWindow]
      .map(([windowId, t]) => ({
        windowId,
        windowNumber: windowId ? (windows.get(windowId)?.number ?? null) : null,
        department: windowId ? (windows.get(windowId)?.department ?? null) : null,
        ...t,
      }))
      .sort((a, b) => (a.windowNumber ?? '~').localeCompare(b.windowNumber ?? '~')),
    staff: [...byStaff]
      .map(([staffId, { windowIds, ...t }]) => ({
        staffId,
        staffNo: staffId ? (staff.get(staffId)?.staff_no ?? null) : null,
        name: staffId ? (staff.get(staffId)?.name ?? null) : null,
        windowNumbers: [...windowIds].map((w) => windows.get(w)?.number ?? w).sort(),
        ...t,
      }))
      .sort((a, b) => (a.staffNo ?? a.staffId ?? '~').localeCompare(b.staffNo ?? b.staffId ?? '~')),
  };
}

export interface FlaggedQuery extends IntegrityScope {
  /** One flag, or any flag when not given. */
  flag?: IntegrityFlag | undefined;
  windowId?: string | undefined;
  staffId?: string | undefined;
  afterSeq: number;
  limit: number;
}

/** The ratings behind the flags, in ledger order, with the facts of each press (from its chain record). */
export async function flaggedRatings(db: Db, q: FlaggedQuery) {
  if (q.departments?.length === 0) return [];
  let query = db
    .selectFrom('assessments as a')
    .leftJoin('records as r', 'r.id', 'a.record_id')
    .leftJoin('staff as s', 's.staff_id', 'a.staff_id')
    .select(['a.seq', 'a.pressed_at', 'a.window_id', 'a.window_number', 'a.staff_id', 's.staff_no', 's.name', 'a.level', 'a.flags', 'r.body'])
    .where('a.china_date', '>=', q.from)
    .where('a.china_date', '<=', q.to)
    .where('a.flags', 'is not', null)
    .where('a.flags', q.flag ? 'like' : '<>', q.flag ? hasFlag(q.flag) : '[]')
    .where('a.seq', '>', q.afterSeq)
    .orderBy('a.seq')
    .limit(q.limit);
  if (q.windowId) query = query.where('a.window_id', '=', q.windowId);
  if (q.staffId) query = query.where('a.staff_id', '=', q.staffId);
  if (q.departments !== null) query = query.where('a.department_id', 'in', q.departments);
  const rows = await query.execute();
  return rows.map((r) => {
    // Only the press's facts leave the chain record; the rest of it stays here.
    const facts = (r.body ? (JSON.parse(r.body) as { facts?: Record<string, unknown> }).facts : undefined) ?? {};
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    return {
      seq: r.seq,
      pressedAt: r.pressed_at,
      windowId: r.window_id,
      windowNumber: r.window_number,
      staffId: r.staff_id,
      staffNo: r.staff_no,
      staffName: r.name,
      level: r.level,
      msFromInvitation: num(facts.msFromInvitation),
      staffLoggedIn: typeof facts.staffLoggedIn === 'boolean' ? facts.staffLoggedIn : null,
      unarmedPressesBefore: num(facts.unarmedPressesBefore),
      ratingsInLastMinute: num(facts.ratingsInLastMinute),
      flags: JSON.parse(r.flags!) as string[],
    };
  });
}
