/**
 * The sections every report has, made from a period's tallies (measure-queries.ts): totals, the
 * tables by department, service item, window, staff, channel and dimension, the rankings, the
 * anti-gaming section (R11, from the integrity report's tallies) and the fairness section (差评 by
 * root cause). Rows are ordered by ids in code-point order — never by a locale's collation — so the
 * same data gives the same bytes, and the same hash, on every machine.
 */
import { DIMENSION_INFO, REASON_DIMENSIONS } from '@hcp/contract';
import { FLAG_EXPLANATIONS, INTEGRITY_FLAGS } from '../ratings/integrity-flags.js';
import { integrityTallies } from '../ratings/integrity-report.js';
import type { Db } from '../store/database.js';
import { DIMENSION_KEYS, type PeriodTallies, ROOT_CAUSES, emptyRootCauses, type RootCauseCounts } from './measure-queries.js';
import { addTally, emptyTally, measure, measureDefinitions, measuresOf, REPORT_RULES, type Tally } from './measures.js';
import { rank, rankingRule, type Candidate, type RankingSettings } from './rankings.js';
import type { FairnessSection, Figures, IntegritySection, MonthlyContent } from './report-content.js';
import { CHANNEL_NAMES, CHANNEL_ORDER, dimensionName, loadNames, type Names } from './report-names.js';

/** Code-point order, nulls last. */
export const byId = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

export interface SectionSettings {
  hallName: string;
  goodLevels: readonly number[];
  ranking: RankingSettings;
}

type Base = Omit<MonthlyContent, 'kind'>;

/** Sum tallies into a map under `key`, keeping the first `meta` seen for it. */
class Rollup<M> {
  readonly rows = new Map<string, { meta: M; tally: Tally }>();
  constructor(private readonly cases = true) {}
  add(key: string, meta: M, t: Tally): void {
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = { meta, tally: emptyTally(this.cases) }));
    addTally(r.tally, t);
  }
}

const k2 = (a: string | null, b: string | null) => `${a ?? '\u0000'}\u0001${b ?? '\u0000'}`;

export async function baseSections(db: Db, range: { period: string; from: string; to: string }, t: PeriodTallies, cutoff: string, s: SectionSettings): Promise<Base> {
  const G = s.goodLevels;
  const names = await loadNames(
    db,
    range,
    [...t.byGrouping.item.values()].map((g) => g.key.itemCode),
  );
  const figures = (tally: Tally): Figures => ({ tally, measures: measuresOf(tally, G) });
  const dept = (id: string | null) => ({ departmentId: id, department: names.department(id) });

  const totals = emptyTally();
  const departments = new Rollup<{ d: string | null }>();
  const items = new Rollup<{ d: string | null; item: string | null }>();
  const windows = new Rollup<{ d: string | null; w: string | null }>();
  const staff = new Rollup<{ d: string | null; s: string | null }>();
  const channels = new Rollup<{ d: string | null; c: string }>(false);
  const channelTotals = new Rollup<{ c: string }>(false);
  // Each table from its own grouping (measure-queries.ts): the hall is the sum of its departments.
  for (const { key: k, tally } of t.byGrouping.department.values()) {
    addTally(totals, tally);
    departments.add(k.departmentId ?? '\u0000', { d: k.departmentId }, tally);
  }
  for (const { key: k, tally } of t.byGrouping.item.values()) items.add(k2(k.departmentId, k.itemCode), { d: k.departmentId, item: k.itemCode }, tally);
  for (const { key: k, tally } of t.byGrouping.window.values()) windows.add(k2(k.departmentId, k.windowId), { d: k.departmentId, w: k.windowId }, tally);
  for (const { key: k, tally } of t.byGrouping.staff.values()) staff.add(k2(k.departmentId, k.staffId), { d: k.departmentId, s: k.staffId }, tally);
  for (const { key: k, tally } of t.byGrouping.channel.values()) {
    channels.add(k2(k.departmentId, k.channel), { d: k.departmentId, c: k.channel }, tally);
    channelTotals.add(k.channel, { c: k.channel }, tally);
  }
  const dimensionTotals = new Rollup<{ dim: string }>(false);
  for (const d of t.dimensions.values()) dimensionTotals.add(d.dimension, { dim: d.dimension }, d.tally);

  const channelRank = (c: string) => (CHANNEL_ORDER.includes(c) ? CHANNEL_ORDER.indexOf(c) : CHANNEL_ORDER.length);
  const byChannel = (a: string, b: string) => channelRank(a) - channelRank(b) || byId(a, b);
  const byDimension = (a: string, b: string) => DIMENSION_KEYS.indexOf(a as never) - DIMENSION_KEYS.indexOf(b as never);
  const windowRows = [...windows.rows.values()]
    .map(({ meta, tally }) => ({ ...dept(meta.d), windowId: meta.w, windowNumber: names.window(meta.w), ...figures(tally) }))
    .sort((a, b) => byId(a.windowNumber, b.windowNumber) || byId(a.departmentId, b.departmentId));
  const staffRows = [...staff.rows.values()]
    .map(({ meta, tally }) => {
      const who = names.staff(meta.s);
      return { ...dept(meta.d), staffId: meta.s, staffNo: who.staffNo, staffName: who.name, ...figures(tally) };
    })
    .sort((a, b) => byId(a.staffNo ?? a.staffId, b.staffNo ?? b.staffId) || byId(a.departmentId, b.departmentId));
  const departmentRows = [...departments.rows.values()].map(({ meta, tally }) => ({ ...dept(meta.d), ...figures(tally) })).sort((a, b) => byId(a.departmentId, b.departmentId));

  // Rankings: a unit is a department, window or staff member with an id (ratings of no registered
  // department, no window or nobody logged in are in the tables, not in a ranking).
  const candidates = (rows: Array<{ id: string | null; name: string; d: string | null; tally: Tally }>): Candidate[] => {
    const by = new Map<string, Candidate>();
    for (const r of rows) {
      if (r.id === null) continue;
      const c = by.get(r.id) ?? { id: r.id, name: r.name, ...dept(r.d), tally: emptyTally() };
      addTally(c.tally, r.tally);
      by.set(r.id, c);
    }
    return [...by.values()];
  };
  const rankings = {
    departments: rank('department', candidates(departmentRows.map((r) => ({ id: r.departmentId, name: r.department, d: r.departmentId, tally: r.tally }))), s.ranking, G),
    windows: rank('window', candidates(windowRows.map((r) => ({ id: r.windowId, name: r.windowNumber, d: r.departmentId, tally: r.tally }))), s.ranking, G),
    staff: rank(
      'staff',
      candidates(staffRows.map((r) => ({ id: r.staffId, name: r.staffNo ? `${r.staffName}（${r.staffNo}）` : r.staffName, d: r.departmentId, tally: r.tally }))),
      s.ranking,
      G,
    ),
  };

  return {
    format: 'hcp-report/1',
    period: range.period,
    from: range.from,
    to: range.to,
    hallName: s.hallName,
    cutoff,
    goodLevels: [...G].sort((a, b) => b - a),
    definitions: measureDefinitions(G),
    rules: [...REPORT_RULES],
    dimensionDefinitions: [
      ...REASON_DIMENSIONS.map((d) => ({ dimension: d, ...DIMENSION_INFO[d] })),
      { dimension: 'unclassified', zh: dimensionName('unclassified'), en: 'Unclassified', covers: '原因不属于任何维度（已停用的原因项）— reasons of no dimension (retired items)' },
      {
        dimension: 'none',
        zh: dimensionName('none'),
        en: 'No reason given',
        covers: '差评未选择原因 — a 差评 given without reasons (other ratings without reasons are not in this table)',
      },
    ],
    flagDefinitions: INTEGRITY_FLAGS.map((flag) => ({ flag, ...FLAG_EXPLANATIONS[flag] })),
    totals: figures(totals),
    departments: departmentRows,
    items: [...items.rows.values()]
      .map(({ meta, tally }) => ({ ...dept(meta.d), itemCode: meta.item, itemName: names.item(meta.item), ...figures(tally) }))
      .sort((a, b) => byId(a.departmentId, b.departmentId) || byId(a.itemCode, b.itemCode)),
    windows: windowRows,
    staff: staffRows,
    channels: [...channels.rows.values()]
      .map(({ meta, tally }) => ({ ...dept(meta.d), channel: meta.c, channelName: CHANNEL_NAMES[meta.c] ?? meta.c, ...figures(tally) }))
      .sort((a, b) => byId(a.departmentId, b.departmentId) || byChannel(a.channel, b.channel)),
    channelTotals: [...channelTotals.rows.values()]
      .map(({ meta, tally }) => ({ channel: meta.c, channelName: CHANNEL_NAMES[meta.c] ?? meta.c, ...figures(tally) }))
      .sort((a, b) => byChannel(a.channel, b.channel)),
    dimensions: [...t.dimensions.values()]
      .map((d) => ({ ...dept(d.departmentId), dimension: d.dimension, dimensionName: dimensionName(d.dimension), ...figures(d.tally) }))
      .sort((a, b) => byId(a.departmentId, b.departmentId) || byDimension(a.dimension, b.dimension)),
    dimensionTotals: [...dimensionTotals.rows.values()]
      .map(({ meta, tally }) => ({ dimension: meta.dim, dimensionName: dimensionName(meta.dim as never), ...figures(tally) }))
      .sort((a, b) => byDimension(a.dimension, b.dimension)),
    rankingRule: rankingRule(s.ranking),
    rankings,
    integrity: await integritySection(db, range, names),
    fairness: fairnessSection(t.rootCauses, names),
  };
}

type FlagTally = IntegritySection['totals'];
const emptyFlags = (): FlagTally => ({ ratings: 0, flagged: 0, flags: Object.fromEntries(INTEGRITY_FLAGS.map((f) => [f, 0])) as FlagTally['flags'], flaggedShare: measure(0, 0) });
function addFlags(into: FlagTally, t: Omit<FlagTally, 'flaggedShare'>): void {
  into.ratings += t.ratings;
  into.flagged += t.flagged;
  for (const f of INTEGRITY_FLAGS) into.flags[f] += t.flags[f];
  into.flaggedShare = measure(into.flagged, into.ratings);
}

/** R11 per window and staff, from the integrity report's own query (gateway/ratings/integrity-report.ts). */
async function integritySection(db: Db, range: { from: string; to: string }, names: Names): Promise<IntegritySection> {
  const tallies = await integrityTallies(db, { from: range.from, to: range.to, departments: null });
  const totals = emptyFlags();
  const windows = new Map<string, { windowId: string | null; departmentId: string | null; t: FlagTally }>();
  const staff = new Map<string, { staffId: string | null; departmentId: string | null; t: FlagTally }>();
  for (const x of tallies) {
    addFlags(totals, x.tally);
    const d = names.windowDepartment(x.windowId);
    const w = windows.get(x.windowId ?? '\u0000') ?? { windowId: x.windowId, departmentId: d, t: emptyFlags() };
    addFlags(w.t, x.tally);
    windows.set(x.windowId ?? '\u0000', w);
    const sk = k2(d, x.staffId);
    const st = staff.get(sk) ?? { staffId: x.staffId, departmentId: d, t: emptyFlags() };
    addFlags(st.t, x.tally);
    staff.set(sk, st);
  }
  return {
    totals,
    windows: [...windows.values()]
      .map((w) => ({ departmentId: w.departmentId, department: names.department(w.departmentId), windowId: w.windowId, windowNumber: names.window(w.windowId), ...w.t }))
      .sort((a, b) => byId(a.windowNumber, b.windowNumber)),
    staff: [...staff.values()]
      .map((x) => {
        const who = names.staff(x.staffId);
        return { departmentId: x.departmentId, department: names.department(x.departmentId), staffId: x.staffId, staffNo: who.staffNo, staffName: who.name, ...x.t };
      })
      .sort((a, b) => byId(a.staffNo ?? a.staffId, b.staffNo ?? b.staffId) || byId(a.departmentId, b.departmentId)),
  };
}

function withBad(c: RootCauseCounts) {
  return { bad: ROOT_CAUSES.reduce((n, k) => n + c[k], c.undetermined), ...c };
}

function fairnessSection(causes: PeriodTallies['rootCauses'], names: Names): FairnessSection {
  const totals = emptyRootCauses();
  for (const c of causes.values()) for (const k of Object.keys(totals) as Array<keyof RootCauseCounts>) totals[k] += c[k];
  return {
    totals: withBad(totals),
    departments: [...causes.entries()].map(([d, c]) => ({ departmentId: d, department: names.department(d), ...withBad(c) })).sort((a, b) => byId(a.departmentId, b.departmentId)),
  };
}
