/**
 * Golden figures: every measure of the November fixture month (fixture-month.ts has the table of
 * ratings), worked out by hand below, read back from the published snapshot through the console
 * API. The cut-off is the schedule's moment, 2026-12-03 06:00 China time = 2026-12-02T22:00Z.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVEMBER_DUE } from './fixture-month.js';
import { startReportHarness, type ReportHarness } from './report-harness.js';

const m = (num: number, den: number) => ({ num, den, value: den === 0 ? null : num / den });
const levels = (l5: number, l4: number, l3: number, l2: number, l1: number) => ({ '5': l5, '4': l4, '3': l3, '2': l2, '1': l1 });

let h: ReportHarness;
let content: any;

beforeAll(async () => {
  h = await startReportHarness();
  await h.at(NOVEMBER_DUE);
  const made = await h.reports.desk.tick();
  expect(made.map((s) => s.snapshotId)).toContain('monthly-2026-11-v1');
  const r = await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v1');
  expect(r.status).toBe(200);
  expect(r.body.snapshot.generatedBy).toBe('schedule');
  content = r.body.content;
}, 60_000);
afterAll(async () => h?.gw.stop());

describe('monthly report, November 2026 (golden)', () => {
  it('is cut off at the schedule moment and carries every definition', () => {
    expect(content.cutoff).toBe('2026-12-02T22:00:00.000Z');
    expect(content.from).toBe('2026-11-01');
    expect(content.to).toBe('2026-11-30');
    expect(content.definitions.map((d: any) => d.zh)).toEqual(['好评率', '主动评价好评率', '未评率', '差评回复率', '差评按期回复率', '回访整改率', '回访整改满意率']);
    expect(content.rankingRule.zh).toContain('少于 5 条');
  });

  it('hall totals', () => {
    // Ratings of November: r1–r8, r10–r12 (A: 11; r9 was superseded, so is no rating) and b1–b4, b7
    // (B: 5) = 16; b5 (Oct 31) and b6 (Dec 1 in China) are outside. Written off: r8 → 1; counted 15.
    // Active by level: 5: r1 r2 r10 b1 = 4; 4: r3 r11 r12 b4 = 4; 3: 0; 2: r5 r6 r7 b2 = 4; 1: b7 = 1 → 13.
    // Defaults: r4, b3 at 3 → 2. 差评 counted: r5 r6 r7 b2 b7 = 5.
    const t = content.totals;
    expect(t.tally.ratings).toBe(16);
    expect(t.tally.writtenOff).toBe(1);
    expect(t.tally.active).toEqual(levels(4, 4, 0, 4, 1));
    expect(t.tally.defaults).toEqual(levels(0, 0, 2, 0, 0));
    // 好评率: good {5,4,3}: active 8 + defaults 2 = 10 of 15 counted.
    expect(t.measures.goodRate).toEqual(m(10, 15));
    // 主动评价好评率: 8 of 13 active.
    expect(t.measures.activeGoodRate).toEqual(m(8, 13));
    // Settled cases: first ratings with a case, not superseded: C1 r1, C2 r2, C3 r4, C4 r5, C5 r6,
    // C6 r8, C7 r10, C8 r11, D1 b1, D2 b2, D3 b3, D4 b4 = 12; less r8 (written off) and r11 (C8
    // withdrawn) = 10; r12 is a 追加评价 (assess_number 2), no new case. Defaulted: C3, D3 → 未评率 2/10.
    expect(t.tally.settled).toBe(10);
    expect(t.measures.unratedRate).toEqual(m(2, 10));
    // Replied by the cut-off: r5, r6, b2 (b7's reply is after it) → 3/5; on time (by due_at): r5, b2
    // (r6 replied 11-14, due 11-12) → 2/5.
    expect(t.measures.replyRate).toEqual(m(3, 5));
    expect(t.measures.replyOnTimeRate).toEqual(m(2, 5));
    // Rectified and called back: r5, r6, b2 → 3/5.
    expect(t.measures.callbackRectifyRate).toEqual(m(3, 5));
    // Re-rated: r5 (4, good) and b2 (2, not good) → 1/2; r6 declined, counted apart.
    expect(t.measures.rectifySatisfactionRate).toEqual(m(1, 2));
    expect(t.tally.reratingDeclined).toBe(1);
  });

  it('by department, window, staff and item', () => {
    const [a, b] = content.departments;
    // A: counted 10 (11 less r8); active 5: r1 r2 r10; 4: r3 r11 r12; 2: r5 r6 r7; default r4.
    expect(a.department).toBe('行政审批局');
    expect(a.tally.active).toEqual(levels(3, 3, 0, 3, 0));
    expect(a.measures.goodRate).toEqual(m(7, 10));
    expect(a.measures.activeGoodRate).toEqual(m(6, 9));
    // Settled: C1 C2 C3 C4 C5 C7 (C6 written off, C8 withdrawn) = 6, C3 defaulted.
    expect(a.measures.unratedRate).toEqual(m(1, 6));
    expect(a.measures.replyRate).toEqual(m(2, 3));
    expect(a.measures.replyOnTimeRate).toEqual(m(1, 3));
    expect(a.measures.callbackRectifyRate).toEqual(m(2, 3));
    expect(a.measures.rectifySatisfactionRate).toEqual(m(1, 1));
    // B: b1 5, b4 4, b2 2, b7 1 active; b3 default.
    expect(b.department).toBe('公积金中心');
    expect(b.measures.goodRate).toEqual(m(3, 5));
    expect(b.measures.activeGoodRate).toEqual(m(2, 4));
    expect(b.measures.unratedRate).toEqual(m(1, 4));
    expect(b.measures.replyRate).toEqual(m(1, 2));
    expect(b.measures.callbackRectifyRate).toEqual(m(1, 2));
    expect(b.measures.rectifySatisfactionRate).toEqual(m(0, 1));
    // One window, staff member and item per department: the same figures.
    expect(content.windows.map((w: any) => [w.windowNumber, w.measures.activeGoodRate])).toEqual([
      ['A1', m(6, 9)],
      ['B1', m(2, 4)],
    ]);
    expect(content.staff.map((s: any) => [s.staffNo, s.staffName, s.measures.goodRate])).toEqual([
      ['G001', '张敏', m(7, 10)],
      ['G002', '李强', m(3, 5)],
    ]);
    expect(content.items.map((i: any) => [i.itemName, i.measures.unratedRate])).toEqual([
      ['营业执照办理', m(1, 6)],
      ['发票申领', m(1, 4)],
    ]);
  });

  it('by channel (未评率 does not apply)', () => {
    const by = Object.fromEntries(content.channelTotals.map((c: any) => [c.channel, c]));
    // device-touch: r1 r2 r5 r8 r10 r11 r12 b2 b4 b7 = 10 ratings, r8 written off → 9 counted;
    // good: r1 r2 r10 r11 r12 b4 = 6; 差评 r5 b2 b7, replied r5 b2.
    expect(by['device-touch'].tally.ratings).toBe(10);
    expect(by['device-touch'].measures.goodRate).toEqual(m(6, 9));
    expect(by['device-touch'].measures.replyRate).toEqual(m(2, 3));
    expect(by['device-touch'].measures.unratedRate).toBeNull();
    // The default channel: r4 and b3, no active rating → 主动评价好评率 "—".
    expect(by.default.measures.goodRate).toEqual(m(2, 2));
    expect(by.default.measures.activeGoodRate).toEqual(m(0, 0));
    // paper-card: r6 only: replied (late) → 1/1, on time 0/1.
    expect(by['paper-card'].measures.replyRate).toEqual(m(1, 1));
    expect(by['paper-card'].measures.replyOnTimeRate).toEqual(m(0, 1));
    expect(Object.keys(by)).toEqual(['device-touch', 'device-button', 'paper-card', 'default', 'qr-window', 'qr-case']);
  });

  it('by dimension, from the reasons', () => {
    const by = Object.fromEntries(content.dimensionTotals.map((d: any) => [d.dimension, d]));
    // attitude: r5 [214], r8 [115] (written off), b1 [517] → 3 ratings, 1 written off; counted r5 (2), b1 (5).
    expect(by.attitude.tally.ratings).toBe(3);
    expect(by.attitude.tally.writtenOff).toBe(1);
    expect(by.attitude.measures.goodRate).toEqual(m(1, 2));
    expect(by.attitude.measures.replyRate).toEqual(m(1, 1));
    expect(by.attitude.measures.rectifySatisfactionRate).toEqual(m(1, 1));
    // efficiency: r6 [209], r8 [115] (written off), b1 [517] → counted r6, b1; r6 replied late, declined.
    expect(by.efficiency.measures.goodRate).toEqual(m(1, 2));
    expect(by.efficiency.measures.replyOnTimeRate).toEqual(m(0, 1));
    expect(by.efficiency.measures.rectifySatisfactionRate).toEqual(m(0, 0));
    expect(by.efficiency.tally.reratingDeclined).toBe(1);
    // quality: b2 [213]; 999 is in no dimension → unclassified, also b2.
    expect(by.quality.measures.rectifySatisfactionRate).toEqual(m(0, 1));
    expect(by.unclassified.tally.ratings).toBe(1);
    // none: 差评 without reasons, r7 and b7: neither replied by the cut-off.
    expect(by.none.measures.replyRate).toEqual(m(0, 2));
    expect(by.none.measures.unratedRate).toBeNull();
    expect(Object.keys(by)).toEqual(['attitude', 'efficiency', 'quality', 'unclassified', 'none']);
    expect(content.dimensionDefinitions.map((d: any) => d.zh).slice(0, 6)).toEqual(['服务态度', '办事效率', '办事质量', '办事指南', '工作纪律', '办事环境']);
  });

  it('rankings with the minimum: B has 4 active ratings, below 5', () => {
    const r = content.rankings.departments;
    expect(r.ranked.map((x: any) => [x.name, x.rank, x.top, x.bottom])).toEqual([['行政审批局', 1, true, false]]);
    expect(r.tooFew.map((x: any) => [x.name, x.rank])).toEqual([['公积金中心', null]]);
  });

  it('anti-gaming (R11) and fairness sections', () => {
    // Device ratings (flags recorded): A r1 r2 r5 r7 r8 r10 r11 r12 = 8, B b2 b4 b7 = 3; flagged b4.
    expect(content.integrity.totals.ratings).toBe(11);
    expect(content.integrity.totals.flags['fast-press']).toBe(1);
    expect(content.integrity.totals.flaggedShare).toEqual(m(1, 11));
    expect(content.integrity.windows.find((w: any) => w.windowNumber === 'B1').flaggedShare).toEqual(m(1, 3));
    // 差评 by root cause: r5 staff, r6 process, b2 system; r7, b7 undetermined; r8 written off (malicious).
    expect(content.fairness.totals).toEqual({ bad: 5, staff: 1, process: 1, system: 1, policy: 0, undetermined: 2, writtenOffMistaken: 0, writtenOffMalicious: 1 });
  });

  it('names no rater: no case number, comment or contact anywhere in the content', () => {
    const text = JSON.stringify(content);
    for (const caseNo of ['"C1"', '"C4"', '"D2"']) expect(text).not.toContain(caseNo);
    expect(text).not.toMatch(/contact|comment|case_no|caseNo/);
  });
});

describe('quarterly report, 2026-Q4 (golden)', () => {
  let q: any;
  beforeAll(async () => {
    // Due 2027-01-03 06:00 China time: the schedule makes December and the fourth quarter.
    await h.at(Date.parse('2027-01-03T06:00:00+08:00'));
    const made = (await h.reports.desk.tick()).map((s) => s.snapshotId);
    expect(made).toEqual(expect.arrayContaining(['monthly-2026-12-v1', 'quarterly-2026-Q4-v1']));
    q = (await h.manager.call('GET', '/api/reports/quarterly-2026-Q4-v1')).body.content;
  }, 60_000);

  it('month over month: the month before the quarter, then its three', () => {
    // 主动评价好评率: Sep none (—); Oct b5 (不满意) 0/1; Nov 8/13; Dec b6 (非常满意) 1/1.
    const hall = q.monthOverMonth.hall;
    expect(q.monthOverMonth.months).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
    expect(hall.map((x: any) => x.activeGoodRate)).toEqual([m(0, 0), m(0, 1), m(8, 13), m(1, 1)]);
    expect(hall.map((x: any) => x.activeGoodRateChange)).toEqual([null, null, 8 / 13 - 0, 1 - 8 / 13]);
  });

  it('the quarter sums its months; rankings, 窗口之星 and who is passed over, with why', () => {
    // B1 over the quarter: b5 (Oct, 2), b1 5, b2 2, b4 4, b7 1, b6 (Dec, 5) → 3 good of 6 active.
    const w = q.rankings.windows.ranked.map((x: any) => [x.name, x.rank, x.measure]);
    expect(w).toEqual([
      ['A1', 1, m(6, 9)],
      ['B1', 2, m(3, 6)],
    ]);
    // A1 replied to r5 and r6 but not r7 (2/3): passed over. B1: b4's fast-press is 1 of 5 device
    // ratings (b2 b4 b7 b5 b6) = 20.0% > 5.0%, and b5 has no reply (b2, b7 replied by this cut-off: 2/3).
    expect(q.windowStars.stars).toEqual([]);
    expect(q.windowStars.passedOver.map((p: any) => [p.windowNumber, p.whyZh])).toEqual([
      ['A1', '差评未全部回复（2/3）'],
      ['B1', '异常标记占比 20.0% 超过 5.0%；差评未全部回复（2/3）'],
    ]);
    expect(q.windowStars.rule.zh).toContain('窗口之星');
    // Bottom 3: none — with two ranked windows, both are in the top 5.
    expect(q.rankings.windows.ranked.filter((x: any) => x.bottom)).toEqual([]);
    expect(q.repeatedlyLow.departments).toEqual([]);
  });
});
