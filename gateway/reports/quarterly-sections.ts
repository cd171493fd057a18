/**
 * What only a quarterly report has (docs/RULES.md R17): 窗口之星, the month-over-month figures and
 * the units low in two months running. Made from the quarter's base sections (report-sections.ts)
 * and each month's tallies (the month before the quarter, then its three), ranked by the same rule
 * as the quarter (rankings.ts) so that "low" means the same everywhere.
 */
import type { PeriodTallies } from './measure-queries.js';
import { addTally, countsOf, emptyTally, measure, measuresOf, type Measure, type Tally } from './measures.js';
import { rank, type RankingSettings } from './rankings.js';
import type { MonthlyContent, MonthOverMonth, QuarterlyContent, WindowStars } from './report-content.js';
import type { Names } from './report-names.js';
import { byId } from './report-sections.js';

export interface StarSettings {
  /** How many 窗口之星 a quarter names. */
  count: number;
  /** A window whose flagged share of device ratings (R11) is above this is passed over. */
  maxFlaggedShare: number;
}

type Base = Omit<MonthlyContent, 'kind'>;

/** 窗口之星: the best-ranked windows that are above suspicion of gaming and answered every 差评. */
export function windowStars(base: Base, s: StarSettings, minRatings: number): WindowStars {
  const flagged = new Map(base.integrity.windows.map((w) => [w.windowId, w.flaggedShare]));
  const replies = new Map<string, Tally>();
  for (const w of base.windows) if (w.windowId) addTally(replies.get(w.windowId) ?? replies.set(w.windowId, emptyTally()).get(w.windowId)!, w.tally);
  const stars: WindowStars['stars'] = [];
  const passedOver: WindowStars['passedOver'] = [];
  let lastPlace: number | null = null;
  for (const r of base.rankings.windows.ranked) {
    if (stars.length >= s.count && r.rank !== lastPlace) break;
    const share = flagged.get(r.id) ?? measure(0, 0);
    const t = replies.get(r.id) ?? emptyTally();
    const replyRate = measure(t.replied, countsOf(t).bad);
    const why: Array<[string, string]> = [];
    if (share.value !== null && share.value > s.maxFlaggedShare)
      why.push([
        `异常标记占比 ${(share.value * 100).toFixed(1)}% 超过 ${(s.maxFlaggedShare * 100).toFixed(1)}%`,
        `flagged share ${(share.value * 100).toFixed(1)}% above ${(s.maxFlaggedShare * 100).toFixed(1)}%`,
      ]);
    if (replyRate.den > 0 && replyRate.num < replyRate.den)
      why.push([`差评未全部回复（${replyRate.num}/${replyRate.den}）`, `not every 差评 replied (${replyRate.num}/${replyRate.den})`]);
    const place = { windowId: r.id, windowNumber: r.name, departmentId: r.departmentId, department: r.department, rank: r.rank! };
    if (why.length > 0) {
      passedOver.push({ ...place, whyZh: why.map((w) => w[0]).join('；'), whyEn: why.map((w) => w[1]).join('; ') });
      continue;
    }
    stars.push({ ...place, measure: r.measure, counted: r.counted, bad: r.bad, replyRate, flaggedShare: share });
    lastPlace = r.rank;
  }
  return {
    rule: {
      minRatings,
      maxFlaggedShare: s.maxFlaggedShare,
      count: s.count,
      zh: `按窗口排名顺序评选 ${s.count} 个“窗口之星”（与第 ${s.count} 名并列者同获）；异常标记（R11）占设备评价比例超过 ${(s.maxFlaggedShare * 100).toFixed(1)}% 或截止时间前差评未全部回复的窗口不予评选，顺延至下一名，并列出未评选的原因。`,
      en: `The first ${s.count} windows of the window ranking (ties at the last place included) are 窗口之星; a window whose integrity-flagged share of device ratings (R11) is above ${(s.maxFlaggedShare * 100).toFixed(1)}%, or that had not replied to every 差评 by the cut-off, is passed over — the next one takes its place — and listed with the reason.`,
    },
    stars,
    passedOver,
  };
}

/** Each unit's tallies in one month. */
function byUnit(t: PeriodTallies, unit: 'department' | 'window'): Map<string, { departmentId: string | null; tally: Tally }> {
  const out = new Map<string, { departmentId: string | null; tally: Tally }>();
  for (const { key, tally } of t.byGrouping[unit].values()) {
    const id = unit === 'department' ? key.departmentId : key.windowId;
    if (id === null) continue;
    const u = out.get(id) ?? { departmentId: key.departmentId, tally: emptyTally() };
    addTally(u.tally, tally);
    out.set(id, u);
  }
  return out;
}

const change = (a: Measure, b: Measure | undefined) => (a.value === null || !b || b.value === null ? null : a.value - b.value);

export interface MonthTallies {
  month: string;
  tallies: PeriodTallies;
}

/** The hall's and each department's 好评率 and 主动评价好评率 per month, with the change from the month before. */
export function monthOverMonth(months: MonthTallies[], names: Names, goodLevels: readonly number[]): MonthOverMonth {
  const series = (tallies: Array<Tally | undefined>) => {
    const out: MonthOverMonth['hall'] = [];
    tallies.forEach((t, i) => {
      const m = measuresOf(t ?? emptyTally(), goodLevels);
      const prev = out[i - 1];
      out.push({
        month: months[i]!.month,
        counted: countsOf(t ?? emptyTally()).counted,
        goodRate: m.goodRate!,
        activeGoodRate: m.activeGoodRate!,
        goodRateChange: change(m.goodRate!, prev?.goodRate),
        activeGoodRateChange: change(m.activeGoodRate!, prev?.activeGoodRate),
      });
    });
    return out;
  };
  const perMonth = months.map((m) => byUnit(m.tallies, 'department'));
  const ids = [...new Set(perMonth.flatMap((m) => [...m.keys()]))].sort(byId);
  return {
    months: months.map((m) => m.month),
    hall: series(months.map((m) => [...m.tallies.byGrouping.department.values()].reduce((s, g) => addTally(s, g.tally), emptyTally()))),
    departments: ids.map((id) => ({ departmentId: id, department: names.department(id), months: series(perMonth.map((m) => m.get(id)?.tally)) })),
  };
}

/** Departments and windows in the bottom places of their monthly ranking in two consecutive months. */
export function repeatedlyLow(months: MonthTallies[], names: Names, s: RankingSettings, goodLevels: readonly number[]): QuarterlyContent['repeatedlyLow'] {
  const lowIn = (unit: 'department' | 'window') => {
    const low = months.map((m) => {
      const units = byUnit(m.tallies, unit);
      const ranking = rank(
        unit,
        [...units].map(([id, u]) => ({ id, name: '', departmentId: u.departmentId, department: '', tally: u.tally })),
        s,
        goodLevels,
      );
      return new Map(ranking.ranked.filter((r) => r.bottom).map((r) => [r.id, r.departmentId]));
    });
    const found = new Map<string, { departmentId: string | null; months: Set<string> }>();
    for (let i = 1; i < months.length; i++) {
      for (const [id, d] of low[i]!) {
        if (!low[i - 1]!.has(id)) continue;
        const f = found.get(id) ?? { departmentId: d, months: new Set<string>() };
        f.months.add(months[i - 1]!.month).add(months[i]!.month);
        found.set(id, f);
      }
    }
    return [...found]
      .sort(([a], [b]) => byId(a, b))
      .map(([id, f]) => ({
        id,
        name: unit === 'department' ? names.department(id) : names.window(id),
        departmentId: f.departmentId,
        department: names.department(f.departmentId),
        months: [...f.months].sort(),
      }));
  };
  return {
    rule: {
      zh: `连续两个月在当月排名后 ${s.bottom} 名之内（排名规则同本报告，含季度前一个月）的部门和窗口。`,
      en: `Departments and windows in the last ${s.bottom} places of the monthly ranking (the same rule as this report) in two consecutive months, the month before the quarter included.`,
    },
    departments: lowIn('department'),
    windows: lowIn('window'),
  };
}
