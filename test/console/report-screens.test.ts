/**
 * Issue 12, "Reports": the report screens in Debian's Chromium against the in-process gateway
 * serving the built console, on a fake clock. The fixture month (November 2026,
 * test/reports/fixture-month.ts) is in the store; on 2026-12-01 the manager asks for December
 * (refused in words: the month has not ended) and then makes November's report in the UI, opens it,
 * sees the API's figures in the page (totals, a department's rates, "—" where a rate does not
 * apply), verifies its hash in words and downloads XLSX, CSV and PDF (each parsed or checked by its
 * magic bytes). A supervisor reads and verifies but has no generate button; a department head is
 * told the reports are not for the role. A write-off after publication, then the manager makes
 * November again: v2 names v1 and says why, with the rating out of the figures. In January the
 * quarterly report shows 窗口之星 and month over month.
 * Screens: test-artifacts/console/reports-*-{1920,1366}.png, each checked with axe-core.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOffLate } from '../reports/fixture-month.js';
import { launchBrowser, settle } from './console-browser.js';
import { type PersonPage, type ReportStand, startReportStand } from './reports/report-stand.js';
import { shoot } from './reports/report-shots.js';

let stand: ReportStand;
let browser: Browser;
let manager: PersonPage;
let supervisor: PersonPage;
let head: PersonPage;
const problems: string[] = [];

beforeAll(async () => {
  stand = await startReportStand('2026-12-01T09:00:00+08:00');
  browser = await launchBrowser();
  manager = await stand.pageFor(browser, 'manager');
  supervisor = await stand.pageFor(browser, 'supervisor');
  head = await stand.pageFor(browser, 'head');
}, 60_000);
afterAll(async () => {
  for (const p of [manager, supervisor, head]) await p?.context.close().catch(() => undefined);
  await browser?.close();
  await stand?.stop();
});

const rateText = (m: { value: number | null } | null) => (m === null || m.value === null ? '—' : `${(m.value * 100).toFixed(1)}%`);
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').trim();
const listRow = (page: Page, snapshotId: string) =>
  page
    .getByTestId('report-table')
    .locator('tbody tr')
    .filter({ has: page.locator(`[data-snapshot="${snapshotId}"]`) });

async function pickMonth(page: Page, month: string): Promise<void> {
  const input = page.locator('#report-month');
  await input.fill(month);
  await input.press('Enter');
  await page.keyboard.press('Escape');
  await settle(page, 150);
}

/** Click "生成报表" and answer the gateway's status. */
async function generate(page: Page): Promise<number> {
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/reports/generate'));
  await page.getByTestId('generate-submit').click();
  const status = (await answered).status();
  await settle(page, 300);
  return status;
}

async function download(page: Page, format: 'xlsx' | 'csv' | 'pdf'): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${format}`).click()]);
  return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
}

describe('the report screens', () => {
  it('the manager is told a month that has not ended cannot be reported, then makes November’s report', async () => {
    const p = manager.page;
    await manager.open('/reports', 'report-generate');
    await pickMonth(p, '2026-12');
    expect(await generate(p)).toBe(409);
    expect(await text(p, 'generate-refused')).toContain('这个统计期还没有结束');
    problems.push(...(await shoot(p, 'list-refused')));

    await pickMonth(p, '2026-11');
    expect(await generate(p)).toBe(201);
    expect(await p.getByTestId('generate-refused').count()).toBe(0);
    const row = listRow(p, 'monthly-2026-11-v1');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/2026年11月 月度报告[\s\S]*v1[\s\S]*最新版[\s\S]*mgr1[\s\S]*第一版/);
    const api = (await stand.as.manager.call('GET', '/api/reports/monthly-2026-11-v1')).body;
    expect(await row.getByTestId('row-hash').textContent()).toBe(`${api.snapshot.hash.slice(0, 12)}…`);
    problems.push(...(await shoot(p, 'list')));
  });

  it('opens the report: the heading, the API’s figures in the page, definitions, charts, and the hash verified in words', async () => {
    const p = manager.page;
    await listRow(p, 'monthly-2026-11-v1').getByTestId('report-open').click();
    await p.getByTestId('report-heading').waitFor();
    await settle(p, 600);
    const { snapshot, content } = (await stand.as.manager.call('GET', '/api/reports/monthly-2026-11-v1')).body;
    expect(await text(p, 'report-title')).toBe('测试大厅 · 2026年11月 月度报告');
    expect(await text(p, 'heading-period')).toBe('2026-11-01 至 2026-11-30（中国时间）');
    expect(await text(p, 'heading-version')).toBe('第 1 版');
    expect(await text(p, 'heading-hash')).toBe(`${snapshot.hash.slice(0, 12)}…`);

    // The totals: every rate as the API has it, with its numerator and denominator.
    const totals = p.getByTestId('report-totals');
    for (const m of ['goodRate', 'activeGoodRate', 'unratedRate', 'replyRate', 'callbackRectifyRate', 'rectifySatisfactionRate'] as const) {
      const cell = totals.locator(`[data-measure="${m}"]`);
      expect(await cell.getByTestId('rate').textContent(), m).toBe(rateText(content.totals.measures[m]));
      expect(await cell.textContent(), m).toContain(`${content.totals.measures[m].num}/${content.totals.measures[m].den}`);
    }
    expect(await totals.getByTestId('total-written-off').textContent()).toBe(String(content.totals.tally.writtenOff));
    // A department's row in the table by department.
    const a = content.departments.find((d: any) => d.department === '行政审批局');
    const aRow = p.getByTestId('table-departments').locator('tbody tr').filter({ hasText: '行政审批局' }).first();
    expect(await aRow.locator('[data-measure="replyRate"] [data-testid="rate"]').textContent()).toBe(rateText(a.measures.replyRate));
    expect(await aRow.locator('[data-measure="replyRate"]').textContent()).toContain(`${a.measures.replyRate.num}/${a.measures.replyRate.den}`);
    // 未评率 by channel does not apply: "—" and why, never a number.
    await p.getByRole('tab', { name: '按渠道' }).click();
    const channelUnrated = p.getByTestId('table-channels').locator('tbody tr').first().locator('[data-measure="unratedRate"]');
    expect((await channelUnrated.textContent())?.replace(/\s+/g, '')).toBe('—不适用');
    expect(await channelUnrated.getAttribute('title')).toContain('不适用于这一分组');
    await p.getByRole('tab', { name: '按部门' }).click();
    // Each measure's definition is on the page, from the report itself.
    const definitions = await text(p, 'report-definitions');
    for (const d of content.definitions) expect(definitions).toContain(d.definitionZh);
    expect(await p.getByRole('button', { name: '好评率的定义' }).count()).toBeGreaterThan(0);
    // The ranking rule with its minimum.
    expect(await text(p, 'ranking-minimum')).toContain('评价数至少 5 条才排名');
    // The charts drew (ECharts writes its aria description into the container).
    for (const chart of ['report-level-chart', 'report-rate-chart', 'report-dimension-chart']) {
      expect(await p.getByTestId(chart).locator('canvas').count(), chart).toBe(1);
    }

    await p.getByTestId('report-heading').getByTestId('verify').click();
    const verdict = p.getByTestId('report-heading').getByTestId('verify-result');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.textContent()).toContain('核验通过');
    expect(await verdict.textContent()).toContain('这是第一版');

    problems.push(...(await shoot(p, 'monthly-heading')));
    problems.push(...(await shoot(p, 'monthly-charts', 'section-charts')));
    problems.push(...(await shoot(p, 'monthly-tables', 'section-tables')));
    problems.push(...(await shoot(p, 'monthly-rankings', 'section-rankings')));
    problems.push(...(await shoot(p, 'monthly-integrity', 'report-integrity')));
    problems.push(...(await shoot(p, 'monthly-definitions', 'section-definitions')));
  }, 120_000);

  it('downloads the report as XLSX, CSV and PDF', async () => {
    const p = manager.page;
    const xlsx = await download(p, 'xlsx');
    expect(xlsx.name).toBe('monthly-2026-11-v1.xlsx');
    expect(xlsx.bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as never);
    expect(wb.worksheets.map((w) => w.name)).toContain('说明');
    const cells = wb.worksheets.flatMap((w) => w.getSheetValues().flat().map(String));
    expect(cells.some((c) => c.includes('行政审批局'))).toBe(true);

    const csv = await download(p, 'csv');
    expect(csv.name).toBe('monthly-2026-11-v1.csv');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.bytes.toString('utf8')).toContain('主动评价好评率');

    const pdf = await download(p, 'pdf');
    expect(pdf.name).toBe('monthly-2026-11-v1.pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.bytes.length).toBeGreaterThan(10_000);
  }, 60_000);

  it('a supervisor reads and verifies, without a generate button; a department head is told why not', async () => {
    const s = supervisor.page;
    await supervisor.open('/reports', 'report-table');
    expect(await s.getByTestId('generate-submit').count()).toBe(0);
    expect(await text(s, 'generate-manager-only')).toContain('只有大厅管理可以生成报表');
    await listRow(s, 'monthly-2026-11-v1').getByTestId('verify').click();
    expect(await listRow(s, 'monthly-2026-11-v1').getByTestId('verify-result').textContent()).toContain('核验通过');
    problems.push(...(await shoot(s, 'list-supervisor')));

    const h = head.page;
    await head.open('/reports', 'reports-not-for-role');
    expect(await text(h, 'reports-not-for-role')).toContain('统计报表只向大厅管理和监督员提供');
    expect(await h.getByTestId('load-error').count()).toBe(0);
    expect(await h.getByTestId('report-table').count()).toBe(0);
    problems.push(...(await shoot(h, 'not-for-role')));
    await head.open('/reports?id=monthly-2026-11-v1', 'reports-not-for-role');
    expect(await h.getByTestId('report-heading').count()).toBe(0);
  }, 60_000);

  it('a write-off after publication: made again, v2 names v1 and says why, and the figures leave the rating out', async () => {
    await stand.at('2026-12-10T10:00:00+08:00');
    await writeOffLate(stand.gw.store.db, new Date(stand.clock.t).toISOString());
    const p = manager.page;
    await manager.open('/reports', 'report-generate');
    await pickMonth(p, '2026-11');
    const status = await generate(p);
    // The gateway re-checks a published period when its data change (reports' recheck): on a slow
    // machine that may make v2 before the click does, and the click then answers 200 with it.
    if (status === 200) {
      const made = (await stand.as.manager.call('GET', '/api/reports/monthly-2026-11-v2')).body;
      expect(made.snapshot.generatedBy).toBe('recheck');
    } else expect(status).toBe(201);
    const v2 = listRow(p, 'monthly-2026-11-v2');
    await v2.waitFor();
    const v2Text = (await v2.textContent()) ?? '';
    expect(v2Text).toContain('取代 monthly-2026-11-v1');
    expect(v2Text).toContain('发布后核销 1 条评价');
    expect(v2Text).toMatch(/r7（误评）：经核实为误评：评价人误按 —— sup 于 2026\/12\/10 10:00:00 批准/);
    expect(await listRow(p, 'monthly-2026-11-v1').textContent()).toContain('已被新版本取代');
    problems.push(...(await shoot(p, 'list-versions')));

    await v2.getByTestId('report-open').click();
    await p.getByTestId('report-heading').waitFor();
    await settle(p, 600);
    const { content } = (await stand.as.manager.call('GET', '/api/reports/monthly-2026-11-v2')).body;
    expect(content.totals.measures.goodRate).toEqual({ num: 10, den: 14, value: 10 / 14 });
    expect(await p.getByTestId('report-totals').locator('[data-measure="goodRate"]').textContent()).toContain('10/14');
    expect(await text(p, 'version-reason')).toContain('取代 monthly-2026-11-v1');
    await p.getByTestId('report-heading').getByTestId('verify').click();
    expect(await p.getByTestId('report-heading').getByTestId('verify-result').textContent()).toContain('与上一版本 monthly-2026-11-v1 的链接完整');
    problems.push(...(await shoot(p, 'v2-heading')));
  }, 60_000);

  it('the quarterly report shows 窗口之星, the bottom places and month over month', async () => {
    await stand.at('2027-01-05T09:00:00+08:00');
    const p = manager.page;
    await manager.open('/reports', 'report-generate');
    await p.getByTestId('generate-kind').getByText('季度报告').click();
    await settle(p, 150);
    expect(await text(p, 'generate-quarter')).toBe('2026年第4季度');
    expect(await generate(p)).toBe(201);
    await listRow(p, 'quarterly-2026-Q4-v1').getByTestId('report-open').click();
    await p.getByTestId('report-stars').waitFor();
    await settle(p, 600);
    const { content } = (await stand.as.manager.call('GET', '/api/reports/quarterly-2026-Q4-v1')).body;
    const stars = await text(p, 'report-stars');
    expect(stars).toContain(content.windowStars.rule.zh);
    for (const s of content.windowStars.stars) expect(stars).toContain(s.windowNumber);
    expect(await text(p, 'report-mom')).toContain('2026-11');
    problems.push(...(await shoot(p, 'quarterly-heading')));
    problems.push(...(await shoot(p, 'quarterly-stars', 'report-stars')));
    problems.push(...(await shoot(p, 'quarterly-mom', 'report-mom')));
  }, 60_000);

  it('no screen had an accessibility problem, a raw key, stray English or a page error', () => {
    expect(problems).toEqual([]);
    expect([...manager.errors, ...supervisor.errors, ...head.errors]).toEqual([]);
  });
});
