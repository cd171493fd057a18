/**
 * Rankings, the top and bottom lists, and 窗口之星 (docs/RULES.md R17; NATIONAL-SPEC.md "Rankings";
 * Ganzi §8.1–8.2, Xintai). One ordering per unit kind; its rule is printed on the report:
 *
 *  - ranked by a stated measure (default 主动评价好评率: system defaults cannot lift a unit),
 *    compared exactly (fractions, no rounding);
 *  - a unit needs at least `minRatings` in the measure's denominator; below it, "too few ratings";
 *  - ties broken by the stated rule (default: more counted ratings first, then fewer 差评); units
 *    still equal share a place, and the next place is skipped (1, 2, 2, 4);
 *  - top N: the places 1…N, with every unit tied at place N; bottom N likewise from the end, but
 *    never a unit that is in the top list (with few units, the bottom list is short or empty).
 */
import { compareMeasures, countsOf, measuresOf, type Measure, type Tally } from './measures.js';
import type { Ranked, Ranking, RankingRule } from './report-content.js';

export interface RankingSettings {
  measure: 'activeGoodRate' | 'goodRate';
  minRatings: number;
  top: number;
  bottom: number;
  tieBreak: Array<'moreRatings' | 'fewerBad'>;
}

export interface Candidate {
  id: string;
  name: string;
  departmentId: string | null;
  department: string;
  tally: Tally;
}

const MEASURE_NAMES = { activeGoodRate: ['主动评价好评率', 'active good-rating rate'], goodRate: ['好评率', 'good-rating rate'] } as const;
const TIE_NAMES = { moreRatings: ['计入统计的评价数多者在前', 'more counted ratings first'], fewerBad: ['差评数少者在前', 'fewer 差评 first'] } as const;

/** The rule as printed on the report. */
export function rankingRule(s: RankingSettings): RankingRule {
  const [mz, me] = MEASURE_NAMES[s.measure];
  const tz = s.tieBreak.map((t) => TIE_NAMES[t][0]).join('，再以');
  const te = s.tieBreak.map((t) => TIE_NAMES[t][1]).join(', then ');
  return {
    ...s,
    zh:
      `按${mz}从高到低排名（按分数精确比较，不四舍五入）；${mz}的分母少于 ${s.minRatings} 条的单位不参加排名，列为“评价数不足”。` +
      `${mz}相同时，${tz || '不再区分'}；仍相同者并列同一名次，其后名次顺延（1、2、2、4）。` +
      `前 ${s.top} 名含与第 ${s.top} 名并列者；后 ${s.bottom} 名为从末位起的 ${s.bottom} 个名次（含并列），已在前 ${s.top} 名中的单位除外。`,
    en:
      `Ranked by ${me}, highest first, compared exactly (no rounding); a unit with fewer than ${s.minRatings} in the measure's denominator is not ranked but listed as "too few ratings". ` +
      `Equal rates: ${te || 'no further rule'}; units still equal share a place and the next place is skipped (1, 2, 2, 4). ` +
      `The top ${s.top} include every unit tied at place ${s.top}; the bottom ${s.bottom} are the last ${s.bottom} places from the end (ties included), leaving out any unit already in the top ${s.top}.`,
  };
}

interface Scored extends Candidate {
  m: Measure;
  counted: number;
  bad: number;
}

function compareScored(a: Scored, b: Scored, tieBreak: RankingSettings['tieBreak']): number {
  const byMeasure = compareMeasures(b.m, a.m);
  if (byMeasure !== 0) return byMeasure;
  for (const t of tieBreak) {
    const d = t === 'moreRatings' ? b.counted - a.counted : a.bad - b.bad;
    if (d !== 0) return d;
  }
  return 0;
}

/** Rank the candidates of one unit kind. */
export function rank(unit: Ranking['unit'], candidates: Candidate[], s: RankingSettings, goodLevels: readonly number[]): Ranking {
  const scored: Scored[] = candidates.map((c) => {
    const m = measuresOf(c.tally, goodLevels)[s.measure]!;
    const { counted, bad } = countsOf(c.tally);
    return { ...c, m, counted, bad };
  });
  const eligible = scored.filter((c) => c.m.den >= s.minRatings);
  // Equal units are listed by id, so the order is the same on every machine (no locale collation).
  eligible.sort((a, b) => compareScored(a, b, s.tieBreak) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ranks: number[] = [];
  eligible.forEach((c, i) => {
    ranks.push(i > 0 && compareScored(eligible[i - 1]!, c, s.tieBreak) === 0 ? ranks[i - 1]! : i + 1);
  });
  // Places counted from the end, ties sharing one.
  const fromEnd: number[] = new Array(eligible.length);
  for (let i = eligible.length - 1; i >= 0; i--) {
    fromEnd[i] = i < eligible.length - 1 && compareScored(eligible[i]!, eligible[i + 1]!, s.tieBreak) === 0 ? fromEnd[i + 1]! : eligible.length - i;
  }
  const row = (c: Scored, r: number | null, top: boolean, bottom: boolean): Ranked => ({
    id: c.id,
    name: c.name,
    departmentId: c.departmentId,
    department: c.department,
    rank: r,
    measure: c.m,
    counted: c.counted,
    bad: c.bad,
    top,
    bottom,
  });
  const ranked = eligible.map((c, i) => {
    const top = ranks[i]! <= s.top;
    return row(c, ranks[i]!, top, !top && fromEnd[i]! <= s.bottom);
  });
  const tooFew = scored
    .filter((c) => c.m.den < s.minRatings)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => row(c, null, false, false));
  return { unit, ranked, tooFew };
}
