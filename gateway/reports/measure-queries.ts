/**
 * The ledger read for one period, as tallies (measures.ts) — the SQL side of the measures. A few
 * passes, each an aggregate or a read of a small part of the month, never a row-by-row walk of it:
 *
 *  1. every rating of the period counted by level and default, with the case ratings that settle a
 *     case, once per grouping the reports show — department, (department, item), (department,
 *     window), (department, staff), (department, channel) — from three aggregates over the covering
 *     index `assessments_report` (reports-schema.ts), no table row read (PASS1_SCANS). Three small
 *     aggregates, not one over the finest key: that key is almost one group per rating in a city (items × staff ×
 *     channels × levels), and sorting and handing a million groups to JavaScript cost more than
 *     three scans;
 *  2. the 差评 of the period with their follow-up and write-off, and the other ratings that carry
 *     reasons (the dimension table) — a few per cent of the month, from a partial index;
 *  3. the written-off ratings that are not 差评, and the withdrawn cases that still got a rating
 *     (both small): taken back out of the counts of pass 1.
 *
 * Written-off ratings leave every rate and are counted apart; a superseded default is no rating
 * (NATIONAL-SPEC.md "the measures"). Follow-up states are read as they stood at the cut-off.
 * Nothing here reads who rated: no contact, no comment, no case number leaves this file.
 */
import { sql } from 'kysely';
import { dimensionsOfReason, REASON_DIMENSIONS, type ReasonDimension } from '@hcp/contract';
import type { Db } from '../store/database.js';
import type { RootCause } from '../store/tables.js';
import { emptyTally, isBad, type Tally } from './measures.js';

/** Where a rating was given and about whom: the finest grouping of the reports. */
export interface GroupKey {
  departmentId: string | null;
  windowId: string | null;
  staffId: string | null;
  itemCode: string | null;
  channel: string;
}

/** A rating's dimension, or `none` (a 差评 given without reasons) or `unclassified` (reasons of no known dimension). */
export type DimensionKey = ReasonDimension | 'none' | 'unclassified';
export const DIMENSION_KEYS: readonly DimensionKey[] = [...REASON_DIMENSIONS, 'unclassified', 'none'];

export const ROOT_CAUSES: readonly RootCause[] = ['staff', 'process', 'system', 'policy'];
export type RootCauseCounts = Record<RootCause | 'undetermined', number> & { writtenOffMistaken: number; writtenOffMalicious: number };

export interface PeriodScope {
  from: string;
  to: string;
  /** ISO instant: follow-up states are read as they stood then. */
  cutoff: string;
  goodLevels: readonly number[];
}

/** The groupings of the reports' tables; each is the department and at most one more column. */
export const GROUPINGS = ['department', 'item', 'window', 'staff', 'channel'] as const;
export type Grouping = (typeof GROUPINGS)[number];
type GroupColumn = 'department_id' | 'window_id' | 'staff_id' | 'item_code' | 'channel';
/**
 * Pass 1's scans: each groups by its columns (plus level and default) and feeds the groupings
 * named — windows and staff from one scan (a staff member works at few windows, so the pairs are
 * few), departments from the channels' scan. Three scans of the month, not five.
 */
const PASS1_SCANS: ReadonlyArray<{ columns: readonly GroupColumn[]; feeds: readonly Grouping[] }> = [
  { columns: ['department_id', 'window_id', 'staff_id'], feeds: ['window', 'staff'] },
  { columns: ['department_id', 'item_code'], feeds: ['item'] },
  { columns: ['department_id', 'channel'], feeds: ['channel', 'department'] },
];

export type GroupTallies = Map<string, { key: GroupKey; tally: Tally }>;

export interface PeriodTallies {
  /** Per grouping, keyed by keyOf() of a key whose other fields are null (channel ''). */
  byGrouping: Record<Grouping, GroupTallies>;
  /** By department (the same map as byGrouping.department): its tallies sum to the hall's. */
  groups: GroupTallies;
  /** By (department, dimension); 差评 without reasons under `none`. */
  dimensions: Map<string, { departmentId: string | null; dimension: DimensionKey; tally: Tally }>;
  /** Counted 差评 by root cause, and written-off 差评 by kind, per department (the fairness section). */
  rootCauses: Map<string | null, RootCauseCounts>;
  /** What the read was up to, to find later changes (report-changes.ts). */
  basis: { logSeq: number; writtenOff: number[] };
}

/** A map key for a group (ids never hold the separator characters). */
export const keyOf = (k: GroupKey) => `${k.departmentId ?? '\u0000'}\u0001${k.windowId ?? '\u0000'}\u0001${k.staffId ?? '\u0000'}\u0001${k.itemCode ?? '\u0000'}\u0001${k.channel}`;

export const emptyRootCauses = (): RootCauseCounts => ({ staff: 0, process: 0, system: 0, policy: 0, undetermined: 0, writtenOffMistaken: 0, writtenOffMalicious: 0 });

const LEVEL = (l: number) => String(l) as '1' | '2' | '3' | '4' | '5';

interface RatingRow {
  seq: number;
  department_id: string | null;
  window_id: string | null;
  staff_id: string | null;
  item_code: string | null;
  channel: string;
  level: number;
  is_default: number;
  case_no: string | null;
  assess_number: number;
  reasons: string | null;
  catalogue_version: string | null;
  wo_kind: string | null;
}

interface DetailedRow extends RatingRow {
  replied_at: string | null;
  due_at: string | null;
  rectified_at: string | null;
  called_back_at: string | null;
  rerating_level: number | null;
  rerated_at: string | null;
  rerating_declined: number | null;
  root_cause: RootCause | null;
}

/** Pass 1, one scan: the period's ratings by `columns`, level and default, from the covering index alone. */
export function ratingGroupsQuery(db: Db, from: string, to: string, columns: readonly GroupColumn[]) {
  return db
    .selectFrom('assessments')
    .select([
      ...columns,
      'level',
      'is_default',
      sql<number>`count(*)`.as('n'),
      sql<number>`sum(case when case_no is not null and assess_number = 1 then 1 else 0 end)`.as('firsts'),
    ])
    .where('china_date', '>=', from)
    .where('china_date', '<=', to)
    .where('superseded_by', 'is', null)
    .groupBy([...columns, 'level', 'is_default']);
}

const RATING_COLUMNS = [
  'a.seq',
  'a.department_id',
  'a.window_id',
  'a.staff_id',
  'a.item_code',
  'a.channel',
  'a.level',
  'a.is_default',
  'a.case_no',
  'a.assess_number',
  'a.reasons',
  'a.catalogue_version',
] as const;

/**
 * The condition of the partial index assessments_report_details, word for word (SQLite uses a
 * partial index only when the query repeats its condition, with constants, not parameters).
 */
const DETAILED = sql<boolean>`(a.level <= 2 or a.reasons is not null)`;

/** Pass 2: the period's 差评 with their follow-up, and other ratings with reasons; each with its write-off. */
export function detailedRatingsQuery(db: Db, from: string, to: string) {
  return db
    .selectFrom('assessments as a')
    .leftJoin('followups as f', 'f.assess_id', 'a.assess_id')
    .leftJoin('write_offs as w', 'w.assess_id', 'a.assess_id')
    .select([
      ...RATING_COLUMNS,
      'w.kind as wo_kind',
      'f.replied_at',
      'f.due_at',
      'f.rectified_at',
      'f.called_back_at',
      'f.rerating_level',
      'f.rerated_at',
      'f.rerating_declined',
      'f.root_cause',
    ])
    .where('a.superseded_by', 'is', null)
    .where('a.china_date', '>=', from)
    .where('a.china_date', '<=', to)
    .where(DETAILED);
}

/** A row's key in one grouping: the grouping's columns, the others null (channel ''). */
function keyOfRow(r: Partial<Pick<RatingRow, GroupColumn>>, g: Grouping): GroupKey {
  return {
    departmentId: r.department_id ?? null,
    windowId: g === 'window' ? (r.window_id ?? null) : null,
    staffId: g === 'staff' ? (r.staff_id ?? null) : null,
    itemCode: g === 'item' ? (r.item_code ?? null) : null,
    channel: g === 'channel' ? (r.channel ?? '') : '',
  };
}

export const emptyGroups = (): Record<Grouping, GroupTallies> => ({ department: new Map(), item: new Map(), window: new Map(), staff: new Map(), channel: new Map() });
const isCaseRating = (r: { case_no: string | null; assess_number: number }) => r.case_no !== null && r.assess_number === 1;
const upTo = (at: string | null, cutoff: string) => at !== null && at <= cutoff;

/** A rating's dimensions from its reasons (each dimension once). */
export function dimensionsOfRating(reasons: string | null, catalogueVersion: string | null): DimensionKey[] {
  const codes = reasons ? (JSON.parse(reasons) as number[]) : [];
  if (codes.length === 0) return ['none'];
  const dims = new Set<DimensionKey>();
  for (const code of codes) {
    const of = dimensionsOfReason(catalogueVersion, code);
    if (of.length === 0) dims.add('unclassified');
    for (const d of of) dims.add(d);
  }
  return DIMENSION_KEYS.filter((d) => dims.has(d));
}

/** Read the period: every tally the reports are made of. */
export async function readPeriod(db: Db, s: PeriodScope): Promise<PeriodTallies> {
  const good = new Set(s.goodLevels);
  const logSeq = Number(
    (
      await db
        .selectFrom('assessment_log')
        .select((eb) => eb.fn.max('seq').as('s'))
        .executeTakeFirst()
    )?.s ?? 0,
  );
  const groups = emptyGroups();
  const tallyOf = (g: Grouping, key: GroupKey) => {
    const k = keyOf(key);
    let x = groups[g].get(k);
    if (!x) groups[g].set(k, (x = { key, tally: emptyTally() }));
    return x.tally;
  };
  /** The tally of the row's group in every grouping. */
  const talliesOf = (r: RatingRow) => GROUPINGS.map((g) => tallyOf(g, keyOfRow(r, g)));

  // 1. Every rating, counted once per grouping.
  for (const scan of PASS1_SCANS) {
    const rows = (await ratingGroupsQuery(db, s.from, s.to, scan.columns).execute()) as Array<
      Partial<Pick<RatingRow, GroupColumn>> & { level: number; is_default: number; n: number; firsts: number }
    >;
    for (const r of rows) {
      const n = Number(r.n);
      const firsts = Number(r.firsts);
      for (const g of scan.feeds) {
        const t = tallyOf(g, keyOfRow(r, g));
        t.ratings += n;
        (r.is_default ? t.defaults : t.active)[LEVEL(r.level)] += n;
        t.settled! += firsts;
        if (r.is_default) t.unrated! += firsts;
      }
    }
  }

  // Ratings that settled a case but must not count as settling one (withdrawn case, written off).
  const unsettled = new Set<number>();
  const unsettle = (r: RatingRow) => {
    if (!isCaseRating(r) || unsettled.has(r.seq)) return;
    unsettled.add(r.seq);
    for (const t of talliesOf(r)) {
      t.settled! -= 1;
      if (r.is_default) t.unrated! -= 1;
    }
  };
  const writtenOff: number[] = [];
  const writeOff = (r: RatingRow) => {
    writtenOff.push(r.seq);
    for (const t of talliesOf(r)) {
      t.writtenOff += 1;
      (r.is_default ? t.defaults : t.active)[LEVEL(r.level)] -= 1;
    }
    unsettle(r);
  };

  const dimensions = new Map<string, { departmentId: string | null; dimension: DimensionKey; tally: Tally }>();
  const dimensionTally = (departmentId: string | null, dimension: DimensionKey) => {
    const k = JSON.stringify([departmentId, dimension]);
    let d = dimensions.get(k);
    if (!d) dimensions.set(k, (d = { departmentId, dimension, tally: emptyTally(false) }));
    return d.tally;
  };
  const rootCauses = new Map<string | null, RootCauseCounts>();
  const causesOf = (departmentId: string | null) => {
    let c = rootCauses.get(departmentId);
    if (!c) rootCauses.set(departmentId, (c = emptyRootCauses()));
    return c;
  };

  // 2. The 差评, with their follow-ups as they stood at the cut-off; other ratings with reasons.
  for (const r of (await detailedRatingsQuery(db, s.from, s.to).execute()) as DetailedRow[]) {
    const dims = dimensionsOfRating(r.reasons, r.catalogue_version).map((d) => dimensionTally(r.department_id, d));
    for (const d of dims) d.ratings += 1;
    if (!isBad(r.level)) {
      // Not a 差评: only the dimension table reads it (pass 3 takes back a write-off).
      for (const d of dims) {
        if (r.wo_kind) d.writtenOff += 1;
        else (r.is_default ? d.defaults : d.active)[LEVEL(r.level)] += 1;
      }
      continue;
    }
    if (r.wo_kind) {
      writeOff(r);
      for (const d of dims) d.writtenOff += 1;
      causesOf(r.department_id)[r.wo_kind === 'malicious' ? 'writtenOffMalicious' : 'writtenOffMistaken'] += 1;
      continue;
    }
    const rerated = r.rerating_level !== null && upTo(r.rerated_at, s.cutoff);
    const facts = {
      replied: upTo(r.replied_at, s.cutoff),
      repliedOnTime: upTo(r.replied_at, s.cutoff) && r.due_at !== null && r.replied_at! <= r.due_at,
      rectifiedCalledBack: upTo(r.rectified_at, s.cutoff) && upTo(r.called_back_at, s.cutoff),
      rerated,
      reratedGood: rerated && good.has(r.rerating_level!),
      reratingDeclined: !rerated && r.rerating_declined === 1 && upTo(r.called_back_at, s.cutoff),
    };
    for (const t of [...talliesOf(r), ...dims]) {
      for (const [k, yes] of Object.entries(facts)) if (yes) t[k as keyof typeof facts] += 1;
    }
    for (const d of dims) (r.is_default ? d.defaults : d.active)[LEVEL(r.level)] += 1;
    // The cause as the follow-up recorded it with the rectification (or explanation), by the cut-off.
    const cause = upTo(r.rectified_at, s.cutoff) && r.root_cause ? r.root_cause : 'undetermined';
    causesOf(r.department_id)[cause] += 1;
  }

  // 3. Written-off ratings that are not 差评 (pass 2 took those), and withdrawn cases that got a rating.
  // A cross join, so that both dialects walk the (small) write-offs and look each rating up,
  // instead of scanning the month for the few written off.
  const otherWrittenOff = (await db
    .selectFrom('write_offs as w')
    .crossJoin('assessments as a')
    .whereRef('a.assess_id', '=', 'w.assess_id')
    .select([...RATING_COLUMNS, 'w.kind as wo_kind'])
    .where('a.china_date', '>=', s.from)
    .where('a.china_date', '<=', s.to)
    .where('a.superseded_by', 'is', null)
    .where('a.level', '>', 2)
    .execute()) as RatingRow[];
  for (const r of otherWrittenOff) writeOff(r);
  const withdrawn = (await db
    .selectFrom('cases as c')
    .innerJoin('assessments as a', 'a.assess_id', 'c.first_assess_id')
    .select([...RATING_COLUMNS, sql<null>`null`.as('wo_kind')])
    .where('c.state', '=', 'withdrawn')
    .where('c.first_assess_id', 'is not', null)
    .where('a.china_date', '>=', s.from)
    .where('a.china_date', '<=', s.to)
    .where('a.superseded_by', 'is', null)
    .execute()) as RatingRow[];
  for (const r of withdrawn) unsettle(r);

  return { byGrouping: groups, groups: groups.department, dimensions, rootCauses, basis: { logSeq, writtenOff: writtenOff.sort((a, b) => a - b) } };
}

/** The whole ledger's minimal aggregate over the same rows (the benchmark's yardstick: no report is faster). */
export function rawAggregateQuery(db: Db, from: string, to: string) {
  return db
    .selectFrom('assessments')
    .select(['department_id', 'level', 'is_default', sql<number>`count(*)`.as('n')])
    .where('china_date', '>=', from)
    .where('china_date', '<=', to)
    .where('superseded_by', 'is', null)
    .groupBy(['department_id', 'level', 'is_default']);
}
