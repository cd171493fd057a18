/**
 * The measures of the 好差评 scheme, defined once (docs/NATIONAL-SPEC.md "After the rating: the
 * measures"): 好评率, 主动评价好评率, 未评率, 差评回复率 (and the share replied on time), 回访整改率,
 * 回访整改满意率. A `Tally` holds the counts behind them and is additive — a department's is the sum
 * of its windows', a quarter's the sum of its months' — so every view re-sums tallies and derives the
 * rates here, never anywhere else. A rate keeps its numerator and denominator; a denominator of 0
 * gives a value of null (printed "—"); a rate that means nothing for a grouping (未评率 by channel)
 * is null itself (printed "n/a").
 */
import { LEVELS, type RatingLevel } from '@hcp/contract';

export const LEVEL_KEYS = ['5', '4', '3', '2', '1'] as const;
export type LevelCounts = Record<(typeof LEVEL_KEYS)[number], number>;

/** The counts behind every measure, for one group of ratings in one period. */
export interface Tally {
  /** Ratings of the period (a default a real rating replaced is no rating), written-off ones included. */
  ratings: number;
  /** Of them, written off (R14): left out of every rate, shown apart. */
  writtenOff: number;
  /** Counted (not written off) ratings given by raters, by level. */
  active: LevelCounts;
  /** Counted R7 system defaults, by level. */
  defaults: LevelCounts;
  /** Settled cases (rated or defaulted, not withdrawn) dated in the period; null where cases do not apply. */
  settled: number | null;
  /** Of them, settled by the system default. */
  unrated: number | null;
  /** Counted 差评 whose follow-up had replied to the rater by the cut-off. */
  replied: number;
  /** …of them, replied by the follow-up's due time. */
  repliedOnTime: number;
  /** Counted 差评 with rectification (or explanation) and a completed call-back by the cut-off. */
  rectifiedCalledBack: number;
  /** Counted 差评 re-rated at the call-back by the cut-off. */
  rerated: number;
  /** …of them, re-rated with a level in the good set. */
  reratedGood: number;
  /** Counted 差评 whose rater declined to re-rate (counted apart, never as satisfied). */
  reratingDeclined: number;
}

/** A rate with what it is made of. */
export interface Measure {
  num: number;
  den: number;
  /** num ÷ den; null when den is 0 ("—"). */
  value: number | null;
}

export const MEASURE_KEYS = ['goodRate', 'activeGoodRate', 'unratedRate', 'replyRate', 'replyOnTimeRate', 'callbackRectifyRate', 'rectifySatisfactionRate'] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];
/** null: the measure does not apply to this grouping (未评率 by channel or dimension). */
export type Measures = Record<MeasureKey, Measure | null>;

const zeroLevels = (): LevelCounts => ({ '5': 0, '4': 0, '3': 0, '2': 0, '1': 0 });

export function emptyTally(cases = true): Tally {
  return {
    ratings: 0,
    writtenOff: 0,
    active: zeroLevels(),
    defaults: zeroLevels(),
    settled: cases ? 0 : null,
    unrated: cases ? 0 : null,
    replied: 0,
    repliedOnTime: 0,
    rectifiedCalledBack: 0,
    rerated: 0,
    reratedGood: 0,
    reratingDeclined: 0,
  };
}

/** Add `t` into `into` (a null case count stays null: the grouping has no cases). */
export function addTally(into: Tally, t: Tally): Tally {
  into.ratings += t.ratings;
  into.writtenOff += t.writtenOff;
  for (const k of LEVEL_KEYS) {
    into.active[k] += t.active[k];
    into.defaults[k] += t.defaults[k];
  }
  if (into.settled !== null) into.settled += t.settled ?? 0;
  if (into.unrated !== null) into.unrated += t.unrated ?? 0;
  into.replied += t.replied;
  into.repliedOnTime += t.repliedOnTime;
  into.rectifiedCalledBack += t.rectifiedCalledBack;
  into.rerated += t.rerated;
  into.reratedGood += t.reratedGood;
  into.reratingDeclined += t.reratingDeclined;
  return into;
}

export const sumTallies = (tallies: Iterable<Tally>, cases = true): Tally => {
  const sum = emptyTally(cases);
  for (const t of tallies) addTally(sum, t);
  return sum;
};

export const isBad = (level: number) => level <= 2;

export function measure(num: number, den: number): Measure {
  return { num, den, value: den === 0 ? null : num / den };
}

const levelSum = (l: LevelCounts, pick: (level: number) => boolean = () => true) => LEVEL_KEYS.reduce((s, k) => s + (pick(Number(k)) ? l[k] : 0), 0);

/** Counted ratings, active, defaults and 差评 of a tally. */
export function countsOf(t: Tally) {
  const active = levelSum(t.active);
  const defaults = levelSum(t.defaults);
  return { counted: active + defaults, active, defaults, bad: levelSum(t.active, isBad) + levelSum(t.defaults, isBad) };
}

/** Every measure of a tally, with the hall's good set G (NATIONAL-SPEC "Terms"). */
export function measuresOf(t: Tally, goodLevels: readonly number[]): Measures {
  const good = (level: number) => goodLevels.includes(level);
  const { counted, active, bad } = countsOf(t);
  const activeGood = levelSum(t.active, good);
  return {
    goodRate: measure(activeGood + levelSum(t.defaults, good), counted),
    activeGoodRate: measure(activeGood, active),
    unratedRate: t.settled === null || t.unrated === null ? null : measure(t.unrated, t.settled),
    replyRate: measure(t.replied, bad),
    replyOnTimeRate: measure(t.repliedOnTime, bad),
    callbackRectifyRate: measure(t.rectifiedCalledBack, bad),
    rectifySatisfactionRate: measure(t.reratedGood, t.rerated),
  };
}

/** Compare two rates exactly (no floating point): negative when a < b; a missing value is lowest. */
export function compareMeasures(a: Measure | null, b: Measure | null): number {
  const av = a && a.den > 0;
  const bv = b && b.den > 0;
  if (!av || !bv) return (av ? 1 : 0) - (bv ? 1 : 0);
  return a.num * b.den - b.num * a.den;
}

/** What each measure is, printed on every report and export (NATIONAL-SPEC "the measures"). */
export interface MeasureDefinition {
  key: MeasureKey;
  zh: string;
  en: string;
  definitionZh: string;
  definitionEn: string;
}

const goodNames = (goodLevels: readonly number[]) =>
  [...goodLevels]
    .sort((a, b) => b - a)
    .map((l) => LEVELS[l as RatingLevel].zh)
    .join('、');

export function measureDefinitions(goodLevels: readonly number[]): MeasureDefinition[] {
  const g = goodNames(goodLevels);
  return [
    {
      key: 'goodRate',
      zh: '好评率',
      en: 'good-rating rate',
      definitionZh: `统计期内计入统计的评价中，等级属于好评集合（${g}）的评价数 ÷ 计入统计的评价数；含系统默认评价。`,
      definitionEn: 'counted ratings of the period with a level in the good set ÷ counted ratings of the period; system defaults included.',
    },
    {
      key: 'activeGoodRate',
      zh: '主动评价好评率',
      en: 'active good-rating rate',
      definitionZh: `计入统计的主动评价（不含系统默认评价）中等级属于好评集合（${g}）的评价数 ÷ 计入统计的主动评价数。`,
      definitionEn: 'counted active ratings (system defaults left out) with a level in the good set ÷ counted active ratings.',
    },
    {
      key: 'unratedRate',
      zh: '未评率',
      en: 'unrated rate',
      definitionZh:
        '统计期内评价期结束的办件（已评价或获系统默认评价；业务系统撤回的办件除外）中获系统默认评价的办件数 ÷ 这些办件数。办件按其首次评价的日期归属统计期；系统默认评价的日期为评价期届满次日 0 时。无办件的评价（工作人员“请评价”）不计入。按渠道、按维度不适用。',
      definitionEn:
        'settled cases of the period (rated, or given the system default; cases the business system withdrew are not settled) that got the system default ÷ settled cases. A case is dated by its first rating; a default is dated 00:00 of the day after the rating period. Ratings without a case are not in it. Not applicable by channel or dimension.',
    },
    {
      key: 'replyRate',
      zh: '差评回复率',
      en: 'reply rate',
      definitionZh: '计入统计的差评中，截止时间前跟进已向评价人反馈的 ÷ 计入统计的差评数。',
      definitionEn: 'counted 差评 of the period whose follow-up had replied to the rater by the cut-off ÷ counted 差评 of the period.',
    },
    {
      key: 'replyOnTimeRate',
      zh: '差评按期回复率',
      en: 'share replied on time',
      definitionZh: '计入统计的差评中，截止时间前已反馈且反馈不晚于跟进的整改期限（含经批准的延期）的 ÷ 计入统计的差评数；未定期限的不算按期。',
      definitionEn:
        'counted 差评 replied by the cut-off and no later than the follow-up’s due time (approved extensions included) ÷ counted 差评; one without a due time is not on time.',
    },
    {
      key: 'callbackRectifyRate',
      zh: '回访整改率',
      en: 'call-back-and-rectification rate',
      definitionZh: '计入统计的差评中，截止时间前已记录整改（无法律依据的，已作解释说明）且已完成回访的 ÷ 计入统计的差评数。',
      definitionEn:
        'counted 差评 whose follow-up recorded rectification (or an explanation where there was no legal basis) and a completed call-back by the cut-off ÷ counted 差评.',
    },
    {
      key: 'rectifySatisfactionRate',
      zh: '回访整改满意率',
      en: 'satisfaction with rectification',
      definitionZh: `计入统计的差评中，截止时间前回访再评价等级属于好评集合（${g}）的 ÷ 截止时间前有再评价的差评数；评价人拒绝再评价的另行计数，不计为满意。`,
      definitionEn:
        'counted 差评 re-rated at the call-back by the cut-off with a level in the good set ÷ counted 差评 re-rated by the cut-off; raters who declined are counted apart, not as satisfied.',
    },
  ];
}

/** The rules every report states beside its figures. */
export const REPORT_RULES: ReadonlyArray<{ zh: string; en: string }> = [
  { zh: '统计日期为中国时间（UTC+8）的日历日；评价按作出的时间归属统计期。', en: 'Dates are China dates (UTC+8); a rating belongs to the period in which it was given.' },
  {
    zh: '计入统计的评价：未被核销的评价。经申诉核实为误评或恶意差评而核销的评价不计入任何比率，另行列示（核销数）。',
    en: 'Counted ratings are those not written off. A rating written off on appeal (mistaken or malicious, R14) is in no rate and is shown apart.',
  },
  { zh: '被在期限内作出的真实评价替代的系统默认评价不计。', en: 'A system default replaced by a real rating given in time is not counted.' },
  {
    zh: '差评的跟进状态（反馈、整改、回访、再评价、原因）取截止时间时的状态；核销与迟到的评价以生成时所知为准，之后的变化生成新版本。',
    en: 'A 差评’s follow-up (reply, rectification, call-back, re-rating, root cause) is read as it stood at the cut-off; write-offs and late ratings as known when generated — a later change makes a new version.',
  },
  {
    zh: '分母为 0 的比率显示为“—”，不显示为 0% 或 100%；不适用的显示为“n/a”。',
    en: 'A rate with a denominator of 0 is shown as "—", never as 0% or 100%; one that does not apply as "n/a".',
  },
  {
    zh: '每个比率旁列出分子、分母及同一批评价的五级分布（主动评价与系统默认评价分列）。',
    en: 'Beside each rate: its numerator and denominator, and the five-level distribution of the same ratings, active and default apart.',
  },
  { zh: '报告不含评价人的任何身份或联系信息（R10）。', en: 'Reports never carry who rated or how to reach them (R10).' },
];
