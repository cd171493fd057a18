/**
 * What a report holds, as zod schemas: the one source of the report's types, of the API's response
 * schemas, and so of the console's generated types (docs/STYLE.md §11). A snapshot stores this
 * content as canonical JSON and hashes it (snapshots.ts); views and exports are made from it.
 */
import { z } from 'zod';
import { INTEGRITY_FLAGS } from '../ratings/integrity-flags.js';

const int = z.number().int();
const LevelCountsSchema = z.object({ '5': int, '4': int, '3': int, '2': int, '1': int });

export const TallySchema = z.object({
  ratings: int.describe('ratings of the period (a superseded default is none), written-off ones included'),
  writtenOff: int.describe('of them written off (R14): in no rate'),
  active: LevelCountsSchema.describe('counted ratings given by raters, by level (5 = 非常满意 … 1 = 非常不满意)'),
  defaults: LevelCountsSchema.describe('counted R7 system defaults, by level'),
  settled: int.nullable().describe('settled cases dated in the period; null where cases do not apply (channel, dimension)'),
  unrated: int.nullable().describe('of them, settled by the system default'),
  replied: int,
  repliedOnTime: int,
  rectifiedCalledBack: int,
  rerated: int,
  reratedGood: int,
  reratingDeclined: int.describe('counted apart, never as satisfied'),
});

export const MeasureSchema = z.object({ num: int, den: int, value: z.number().nullable().describe('num ÷ den; null when den is 0 (shown "—")') });
const M = MeasureSchema.nullable().describe('null: does not apply to this grouping (shown "n/a")');
export const MeasuresSchema = z.object({
  goodRate: M,
  activeGoodRate: M,
  unratedRate: M,
  replyRate: M,
  replyOnTimeRate: M,
  callbackRectifyRate: M,
  rectifySatisfactionRate: M,
});

export const FiguresSchema = z.object({ tally: TallySchema, measures: MeasuresSchema });
const D = { departmentId: z.string().nullable().describe('null: ratings from a window with no registered department'), department: z.string() };

export const DepartmentRowSchema = FiguresSchema.extend(D);
export const ItemRowSchema = FiguresSchema.extend({ ...D, itemCode: z.string().nullable(), itemName: z.string() });
export const WindowRowSchema = FiguresSchema.extend({ ...D, windowId: z.string().nullable(), windowNumber: z.string() });
export const StaffRowSchema = FiguresSchema.extend({
  ...D,
  staffId: z.string().nullable().describe('null: nobody was logged in'),
  staffNo: z.string().nullable(),
  staffName: z.string(),
});
export const ChannelRowSchema = FiguresSchema.extend({ ...D, channel: z.string(), channelName: z.string() });
export const ChannelTotalSchema = FiguresSchema.extend({ channel: z.string(), channelName: z.string() });
export const DimensionRowSchema = FiguresSchema.extend({ ...D, dimension: z.string(), dimensionName: z.string() });
export const DimensionTotalSchema = FiguresSchema.extend({ dimension: z.string(), dimensionName: z.string() });

const FlagCountsSchema = z.object(Object.fromEntries(INTEGRITY_FLAGS.map((f) => [f, int])) as Record<(typeof INTEGRITY_FLAGS)[number], typeof int>);
export const IntegrityTallySchema = z.object({
  ratings: int.describe('device ratings (only they carry integrity facts), written off or not'),
  flagged: int,
  flags: FlagCountsSchema,
  flaggedShare: MeasureSchema,
});
export const IntegritySchema = z.object({
  totals: IntegrityTallySchema,
  windows: z.array(IntegrityTallySchema.extend({ ...D, windowId: z.string().nullable(), windowNumber: z.string() })),
  staff: z.array(IntegrityTallySchema.extend({ ...D, staffId: z.string().nullable(), staffNo: z.string().nullable(), staffName: z.string() })),
});

export const RootCauseCountsSchema = z.object({
  bad: int.describe('counted 差评'),
  staff: int,
  process: int,
  system: int,
  policy: int,
  undetermined: int.describe('no cause recorded with a rectification by the cut-off'),
  writtenOffMistaken: int.describe('差评 written off as mistaken (误评): not counted'),
  writtenOffMalicious: int.describe('差评 written off as malicious (恶意差评): not counted'),
});
export const FairnessSchema = z.object({ totals: RootCauseCountsSchema, departments: z.array(RootCauseCountsSchema.extend(D)) });

export const RankedSchema = z.object({
  id: z.string(),
  name: z.string(),
  ...D,
  rank: int.nullable().describe('null: too few ratings to be ranked'),
  measure: MeasureSchema,
  counted: int.describe('counted ratings'),
  bad: int.describe('counted 差评'),
  top: z.boolean(),
  bottom: z.boolean(),
});
export const RankingSchema = z.object({
  unit: z.enum(['department', 'window', 'staff']),
  ranked: z.array(RankedSchema).describe('in ranking order'),
  tooFew: z.array(RankedSchema).describe('below the minimum: listed, not ranked'),
});
export const RankingRuleSchema = z.object({
  measure: z.enum(['activeGoodRate', 'goodRate']),
  minRatings: int,
  top: int,
  bottom: int,
  tieBreak: z.array(z.enum(['moreRatings', 'fewerBad'])),
  zh: z.string(),
  en: z.string(),
});

const TextSchema = z.object({ zh: z.string(), en: z.string() });
export const DefinitionSchema = z.object({ key: z.string(), zh: z.string(), en: z.string(), definitionZh: z.string(), definitionEn: z.string() });

const BaseShape = {
  format: z.literal('hcp-report/1'),
  period: z.string(),
  from: z.string().describe('first China date'),
  to: z.string().describe('last China date'),
  hallName: z.string(),
  cutoff: z.string().describe('follow-up states as they stood at this instant (UTC)'),
  goodLevels: z.array(int),
  definitions: z.array(DefinitionSchema),
  rules: z.array(TextSchema),
  dimensionDefinitions: z.array(z.object({ dimension: z.string(), zh: z.string(), en: z.string(), covers: z.string() })),
  flagDefinitions: z.array(z.object({ flag: z.string(), zh: z.string(), en: z.string() })),
  totals: FiguresSchema,
  departments: z.array(DepartmentRowSchema),
  items: z.array(ItemRowSchema),
  windows: z.array(WindowRowSchema),
  staff: z.array(StaffRowSchema),
  channels: z.array(ChannelRowSchema),
  channelTotals: z.array(ChannelTotalSchema),
  dimensions: z.array(DimensionRowSchema),
  dimensionTotals: z.array(DimensionTotalSchema),
  rankingRule: RankingRuleSchema,
  rankings: z.object({ departments: RankingSchema, windows: RankingSchema, staff: RankingSchema }),
  integrity: IntegritySchema,
  fairness: FairnessSchema,
};

export const StarSchema = z.object({
  windowId: z.string(),
  windowNumber: z.string(),
  ...D,
  rank: int,
  measure: MeasureSchema,
  counted: int,
  bad: int,
  replyRate: MeasureSchema,
  flaggedShare: MeasureSchema,
});
export const WindowStarsSchema = z.object({
  rule: TextSchema.extend({ minRatings: int, maxFlaggedShare: z.number(), count: int }),
  stars: z.array(StarSchema),
  passedOver: z
    .array(z.object({ windowId: z.string(), windowNumber: z.string(), ...D, rank: int, whyZh: z.string(), whyEn: z.string() }))
    .describe('windows ranked above a star that the rule left out, and why'),
});

const MonthFigureSchema = z.object({
  month: z.string(),
  counted: int,
  goodRate: MeasureSchema,
  activeGoodRate: MeasureSchema,
  goodRateChange: z.number().nullable().describe('value minus the previous month’s (a fraction: 0.012 = 1.2 percentage points); null without both'),
  activeGoodRateChange: z.number().nullable(),
});
export const MonthOverMonthSchema = z.object({
  months: z.array(z.string()).describe('the month before the quarter, then its three'),
  hall: z.array(MonthFigureSchema),
  departments: z.array(z.object({ ...D, months: z.array(MonthFigureSchema) })),
});
export const RepeatedlyLowSchema = z.object({
  rule: TextSchema,
  departments: z.array(z.object({ id: z.string(), name: z.string(), ...D, months: z.array(z.string()) })),
  windows: z.array(z.object({ id: z.string(), name: z.string(), ...D, months: z.array(z.string()) })),
});

export const MonthlyContentSchema = z.object({ kind: z.literal('monthly'), ...BaseShape });
export const QuarterlyContentSchema = z.object({
  kind: z.literal('quarterly'),
  ...BaseShape,
  months: z.array(z.string()),
  windowStars: WindowStarsSchema,
  monthOverMonth: MonthOverMonthSchema,
  repeatedlyLow: RepeatedlyLowSchema,
});
export const ReportContentSchema = z.discriminatedUnion('kind', [MonthlyContentSchema, QuarterlyContentSchema]);

export type Figures = z.infer<typeof FiguresSchema>;
export type Ranked = z.infer<typeof RankedSchema>;
export type Ranking = z.infer<typeof RankingSchema>;
export type RankingRule = z.infer<typeof RankingRuleSchema>;
export type IntegritySection = z.infer<typeof IntegritySchema>;
export type FairnessSection = z.infer<typeof FairnessSchema>;
export type MonthlyContent = z.infer<typeof MonthlyContentSchema>;
export type QuarterlyContent = z.infer<typeof QuarterlyContentSchema>;
export type ReportContent = z.infer<typeof ReportContentSchema>;
export type WindowStars = z.infer<typeof WindowStarsSchema>;
export type MonthOverMonth = z.infer<typeof MonthOverMonthSchema>;
