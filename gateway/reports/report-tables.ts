/**
 * A report's content laid out as titled tables — the one layout the XLSX, CSV and PDF exports
 * render (report-xlsx.ts, report-csv.ts, report-pdf.ts), so the three never disagree. A figure row
 * is the unit's name columns, the counts (written-off apart, the five levels active and default
 * apart) and every measure as numerator, denominator and value (NATIONAL-SPEC.md "Rules for every
 * report"). Nothing here names a rater (R10).
 */
import { LEVELS, type RatingLevel } from '@hcp/contract';
import { countsOf, LEVEL_KEYS, MEASURE_KEYS, type Measure } from './measures.js';
import type { Figures, Ranking, ReportContent } from './report-content.js';
import type { SnapshotMeta } from './snapshots.js';

/** A cell: text, a count, a rate (shown "—" when its denominator is 0), or a rate that does not apply. */
export type Cell = string | number | null | { rate: Measure | null };

export interface Column {
  header: string;
  /** Relative width (the PDF and XLSX use it). */
  width: number;
  kind: 'text' | 'count' | 'rate';
}

export interface ReportTable {
  key: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
}

/** A report's text blocks (definitions, rules, versions) printed before its tables. */
export interface ReportNotes {
  title: string;
  facts: Array<[string, string]>;
  definitions: Array<[string, string]>;
  rules: string[];
}

const MEASURE_NAMES: Record<(typeof MEASURE_KEYS)[number], string> = {
  goodRate: '好评率',
  activeGoodRate: '主动评价好评率',
  unratedRate: '未评率',
  replyRate: '差评回复率',
  replyOnTimeRate: '差评按期回复率',
  callbackRectifyRate: '回访整改率',
  rectifySatisfactionRate: '回访整改满意率',
};

const text = (header: string, width = 3): Column => ({ header, width, kind: 'text' });
const count = (header: string): Column => ({ header, width: 1.2, kind: 'count' });
const rate = (header: string): Column => ({ header, width: 1.8, kind: 'rate' });

export const FIGURE_COLUMNS: Column[] = [
  count('评价数'),
  count('核销'),
  count('计入统计'),
  ...LEVEL_KEYS.map((k) => count(`主动·${LEVELS[Number(k) as RatingLevel].zh}`)),
  ...LEVEL_KEYS.map((k) => count(`默认·${LEVELS[Number(k) as RatingLevel].zh}`)),
  count('差评'),
  ...MEASURE_KEYS.map((k) => rate(MEASURE_NAMES[k])),
];

export function figureCells(f: Figures): Cell[] {
  const c = countsOf(f.tally);
  return [
    f.tally.ratings,
    f.tally.writtenOff,
    c.counted,
    ...LEVEL_KEYS.map((k) => f.tally.active[k]),
    ...LEVEL_KEYS.map((k) => f.tally.defaults[k]),
    c.bad,
    ...MEASURE_KEYS.map((k) => ({ rate: f.measures[k] })),
  ];
}

function rankingTable(key: string, title: string, r: Ranking): ReportTable {
  const row = (x: Ranking['ranked'][number]): Cell[] => [
    x.rank === null ? '评价数不足' : x.rank,
    x.name,
    x.department,
    x.top ? '前列' : x.bottom ? '后列（约谈）' : '',
    x.counted,
    x.bad,
    { rate: x.measure },
  ];
  return {
    key,
    title,
    columns: [text('名次', 1.2), text('单位'), text('部门'), text('榜单', 1.5), count('计入统计'), count('差评'), rate('排名依据')],
    rows: [...r.ranked.map(row), ...r.tooFew.map(row)],
  };
}

/** Every table of the report, in the order they are printed. */
export function reportTables(c: ReportContent): ReportTable[] {
  const dept = text('部门');
  const t: ReportTable[] = [
    { key: 'totals', title: '全厅汇总', columns: [text('范围'), ...FIGURE_COLUMNS], rows: [[c.hallName, ...figureCells(c.totals)]] },
    { key: 'departments', title: '按部门', columns: [dept, ...FIGURE_COLUMNS], rows: c.departments.map((r) => [r.department, ...figureCells(r)]) },
    {
      key: 'items',
      title: '按事项',
      columns: [dept, text('事项编码'), text('事项', 4), ...FIGURE_COLUMNS],
      rows: c.items.map((r) => [r.department, r.itemCode, r.itemName, ...figureCells(r)]),
    },
    { key: 'windows', title: '按窗口', columns: [text('窗口', 1.5), dept, ...FIGURE_COLUMNS], rows: c.windows.map((r) => [r.windowNumber, r.department, ...figureCells(r)]) },
    {
      key: 'staff',
      title: '按工作人员',
      columns: [text('工号', 1.5), text('姓名', 2), dept, ...FIGURE_COLUMNS],
      rows: c.staff.map((r) => [r.staffNo, r.staffName, r.department, ...figureCells(r)]),
    },
    { key: 'channelTotals', title: '按渠道（全厅）', columns: [text('渠道'), ...FIGURE_COLUMNS], rows: c.channelTotals.map((r) => [r.channelName, ...figureCells(r)]) },
    { key: 'channels', title: '按渠道（分部门）', columns: [dept, text('渠道'), ...FIGURE_COLUMNS], rows: c.channels.map((r) => [r.department, r.channelName, ...figureCells(r)]) },
    { key: 'dimensionTotals', title: '按维度（全厅）', columns: [text('维度'), ...FIGURE_COLUMNS], rows: c.dimensionTotals.map((r) => [r.dimensionName, ...figureCells(r)]) },
    {
      key: 'dimensions',
      title: '按维度（分部门）',
      columns: [dept, text('维度'), ...FIGURE_COLUMNS],
      rows: c.dimensions.map((r) => [r.department, r.dimensionName, ...figureCells(r)]),
    },
    rankingTable('rankDepartments', '部门排名', c.rankings.departments),
    rankingTable('rankWindows', '窗口排名', c.rankings.windows),
    rankingTable('rankStaff', '工作人员排名', c.rankings.staff),
  ];
  const flagCols = c.flagDefinitions.map((f) => count(f.flag));
  const flagCells = (x: typeof c.integrity.totals): Cell[] => [
    x.ratings,
    x.flagged,
    { rate: x.flaggedShare },
    ...c.flagDefinitions.map((f) => x.flags[f.flag as keyof typeof x.flags]),
  ];
  const integrityCols = [count('设备评价'), count('有标记'), rate('标记占比'), ...flagCols];
  t.push({
    key: 'integrity',
    title: '防刷评（R11 异常标记）',
    columns: [text('窗口 / 工作人员'), dept, ...integrityCols],
    rows: [
      ['全厅', '', ...flagCells(c.integrity.totals)],
      ...c.integrity.windows.map((w) => [`窗口 ${w.windowNumber}`, w.department, ...flagCells(w)]),
      ...c.integrity.staff.map((s) => [s.staffNo ? `${s.staffName}（${s.staffNo}）` : s.staffName, s.department, ...flagCells(s)]),
    ],
  });
  const causes = (x: typeof c.fairness.totals): Cell[] => [x.bad, x.staff, x.process, x.system, x.policy, x.undetermined, x.writtenOffMistaken, x.writtenOffMalicious];
  t.push({
    key: 'fairness',
    title: '公平性：差评按根本原因',
    columns: [dept, count('计入差评'), count('人员'), count('流程'), count('系统'), count('政策'), count('未定'), count('核销·误评'), count('核销·恶意')],
    rows: [['全厅', ...causes(c.fairness.totals)], ...c.fairness.departments.map((d) => [d.department, ...causes(d)])],
  });
  if (c.kind === 'quarterly') {
    t.push({
      key: 'windowStars',
      title: '窗口之星',
      columns: [text('名次', 1.2), text('窗口', 1.5), dept, count('计入统计'), count('差评'), rate('排名依据'), rate('差评回复率'), rate('标记占比'), text('说明', 5)],
      rows: [
        ...c.windowStars.stars.map((s) => [
          s.rank,
          s.windowNumber,
          s.department,
          s.counted,
          s.bad,
          { rate: s.measure },
          { rate: s.replyRate },
          { rate: s.flaggedShare },
          '窗口之星',
        ]),
        ...c.windowStars.passedOver.map((p) => [p.rank, p.windowNumber, p.department, null, null, null, null, null, `未评选：${p.whyZh}`]),
      ],
    });
    const mom = c.monthOverMonth;
    const momCols = mom.months.flatMap((m) => [rate(`${m} 好评率`), rate(`${m} 主动评价好评率`), text(`${m} 环比（百分点）`, 1.5)]);
    const momCells = (xs: typeof mom.hall): Cell[] =>
      xs.flatMap((x) => [{ rate: x.goodRate }, { rate: x.activeGoodRate }, x.activeGoodRateChange === null ? '—' : Math.round(x.activeGoodRateChange * 1000) / 10]);
    t.push({
      key: 'monthOverMonth',
      title: '环比（主动评价好评率的变化）',
      columns: [text('范围'), ...momCols],
      rows: [['全厅', ...momCells(mom.hall)], ...mom.departments.map((d) => [d.department, ...momCells(d.months)])],
    });
    t.push({
      key: 'repeatedlyLow',
      title: '连续排名靠后',
      columns: [text('类别', 1.2), text('单位'), dept, text('月份', 4)],
      rows: [
        ...c.repeatedlyLow.departments.map((d) => ['部门', d.name, d.department, d.months.join('、')]),
        ...c.repeatedlyLow.windows.map((w) => ['窗口', `窗口 ${w.name}`, w.department, w.months.join('、')]),
      ],
    });
  }
  return t;
}

/** An instant as a hall reads it: China time (UTC+8, no DST), said so. */
const chinaTime = (iso: string) => `${new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')}（北京时间）`;

/** The report's heading, its snapshot, its definitions and its rules. */
export function reportNotes(c: ReportContent, s: SnapshotMeta): ReportNotes {
  const facts: Array<[string, string]> = [
    ['大厅', c.hallName],
    ['统计期', `${c.period}（${c.from} 至 ${c.to}，中国时间）`],
    ['跟进状态截止时间', chinaTime(c.cutoff)],
    ['好评集合', c.goodLevels.map((l) => LEVELS[l as RatingLevel].zh).join('、')],
    ['快照', `${s.snapshotId}（第 ${s.version} 版，${chinaTime(s.generatedAt)} 由 ${s.generatedBy} 生成）`],
    ['内容哈希 SHA-256', s.contentHash],
    ['快照哈希 SHA-256', s.hash],
  ];
  if (s.previousId) facts.push(['取代', `${s.previousId}（${s.previousHash}）`], ['更正原因', s.reason?.zh ?? '']);
  return {
    title: `${c.hallName} 政务服务“好差评”${c.kind === 'monthly' ? '月度' : '季度'}报告 ${c.period}`,
    facts,
    definitions: [
      ...c.definitions.map((d) => [d.zh, d.definitionZh] as [string, string]),
      ...c.dimensionDefinitions.map((d) => [`维度·${d.zh}`, d.covers] as [string, string]),
      ...c.flagDefinitions.map((f) => [`标记·${f.flag}`, f.zh] as [string, string]),
      ['排名规则', c.rankingRule.zh],
      ...(c.kind === 'quarterly'
        ? ([
            ['窗口之星规则', c.windowStars.rule.zh],
            ['连续靠后规则', c.repeatedlyLow.rule.zh],
          ] as Array<[string, string]>)
        : []),
      ['公平性', '计入统计的差评按其跟进在截止时间前记录整改时填写的根本原因（人员、流程、系统、政策）计数；未记录的为“未定”；经申诉核销的差评另列，不计入。'],
    ],
    rules: c.rules.map((r) => r.zh),
  };
}

/** A rate as printed: "95.2%", "—" for a denominator of 0, "n/a" when it does not apply. */
export function rateText(m: Measure | null): string {
  if (m === null) return 'n/a';
  if (m.value === null) return '—';
  return `${(m.value * 100).toFixed(1)}%`;
}
