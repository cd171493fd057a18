/**
 * Make a report's content for a period (measure-queries.ts reads, report-sections.ts and
 * quarterly-sections.ts arrange). A quarter is read month by month — its tallies are the sum of its
 * months' (measures.ts) — so that the month-over-month figures and the monthly rankings behind
 * "low two months running" come from the same reads.
 */
import { chinaDate } from '../calendar/working-days.js';
import type { Db } from '../store/database.js';
import { emptyGroups, emptyRootCauses, GROUPINGS, readPeriod, type PeriodTallies, type RootCauseCounts } from './measure-queries.js';
import { addTally, emptyTally } from './measures.js';
import { previousMonth, type Period } from './periods.js';
import { monthOverMonth, repeatedlyLow, windowStars, type MonthTallies, type StarSettings } from './quarterly-sections.js';
import type { ReportContent } from './report-content.js';
import { loadNames } from './report-names.js';
import { baseSections, type SectionSettings } from './report-sections.js';
import type { Basis } from './snapshots.js';

export interface BuildSettings extends SectionSettings {
  stars: StarSettings;
}

/** Sum several periods' tallies (a quarter from its months). */
export function mergeTallies(parts: PeriodTallies[]): PeriodTallies {
  const byGrouping = emptyGroups();
  const out: PeriodTallies = { byGrouping, groups: byGrouping.department, dimensions: new Map(), rootCauses: new Map(), basis: { logSeq: 0, writtenOff: [] } };
  for (const p of parts) {
    for (const grouping of GROUPINGS) {
      const to = out.byGrouping[grouping];
      for (const [k, g] of p.byGrouping[grouping]) addTally((to.get(k) ?? to.set(k, { key: g.key, tally: emptyTally() }).get(k)!).tally, g.tally);
    }
    for (const [k, d] of p.dimensions) {
      const into = out.dimensions.get(k) ?? out.dimensions.set(k, { departmentId: d.departmentId, dimension: d.dimension, tally: emptyTally(false) }).get(k)!;
      addTally(into.tally, d.tally);
    }
    for (const [d, c] of p.rootCauses) {
      const into = out.rootCauses.get(d) ?? out.rootCauses.set(d, emptyRootCauses()).get(d)!;
      for (const k of Object.keys(c) as Array<keyof RootCauseCounts>) into[k] += c[k];
    }
    out.basis.logSeq = Math.max(out.basis.logSeq, p.basis.logSeq);
    out.basis.writtenOff.push(...p.basis.writtenOff);
  }
  out.basis.writtenOff.sort((a, b) => a - b);
  return out;
}

const monthRange = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: `${month}-01`, to: `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}` };
};

/** The content of `p`'s report with follow-ups read at `cutoff`, and what it was read up to. */
export async function buildReport(db: Db, p: Period, cutoff: string, s: BuildSettings): Promise<{ content: ReportContent; basis: Basis }> {
  const scope = (from: string, to: string) => ({ from, to, cutoff, goodLevels: s.goodLevels });
  if (p.kind === 'monthly') {
    const t = await readPeriod(db, scope(p.from, p.to));
    return { content: { kind: 'monthly', ...(await baseSections(db, p, t, cutoff, s)) }, basis: t.basis };
  }
  const months: MonthTallies[] = [];
  for (const month of [previousMonth(p.months[0]!), ...p.months]) {
    const r = monthRange(month);
    months.push({ month, tallies: await readPeriod(db, scope(r.from, r.to)) });
  }
  const quarter = mergeTallies(months.slice(1).map((m) => m.tallies));
  const base = await baseSections(db, p, quarter, cutoff, s);
  const names = await loadNames(db, p, []);
  return {
    content: {
      kind: 'quarterly',
      ...base,
      months: p.months,
      windowStars: windowStars(base, s.stars, s.ranking.minRatings),
      monthOverMonth: monthOverMonth(months, names, s.goodLevels),
      repeatedlyLow: repeatedlyLow(months, names, s.ranking, s.goodLevels),
    },
    basis: quarter.basis,
  };
}

/** The China date of an instant (the schedule and the routes speak in China dates). */
export const chinaToday = (nowMs: number) => chinaDate(new Date(nowMs));
