/**
 * The 纸质评议卡 screen in Debian's Chromium (playwright-core), against the built console served by
 * a real in-process gateway: a manager prints a batch for window 01 (the PDF downloads), enters a
 * card the way a scanner does (the cursor starts in the serial field, Enter moves on), sees the
 * duplicate refused in Chinese with the gateway's words, enters a card of an earlier batch 6 working
 * days after its service and sees it marked late in the list. Screenshots in test-artifacts/paper/.
 *
 * Needs the console built (npm run build:console) with the paper page in its router and messages.
 */
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSerial } from '../../gateway/paper/card-serial.js';
import { CONSOLE_DIST } from '../../gateway/http/console-static.js';
import { REPO_ROOT } from '../support/device-process.js';
import { axe, launchBrowser, settle, textProblems } from '../console/console-browser.js';
import { serialsOf, startPaperHall, type PaperHall } from './support/paper-hall.js';

const OUT = join(REPO_ROOT, 'test-artifacts', 'paper');
let hall: PaperHall;
let browser: Browser;
let page: Page;
let earlier: string[];

const activeTestId = () => page.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null);
/** A screenshot to look at, and what axe-core finds serious or critical on the screen. */
async function shot(name: string): Promise<string[]> {
  await page.screenshot({ path: join(OUT, `console-${name}.png`) });
  return (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${name}: ${v.id} ${v.help} ${v.nodes.join(' ')}`);
}

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error('the console is not built: run npm run build:console first');
  hall = await startPaperHall({ at: '2026-11-02T01:00:00Z', withProvince: false });
  const a = await hall.manager.call('POST', '/api/paper/batches', { windowId: 'w-01', count: 4 });
  earlier = await serialsOf(hall.gw, a.body.batchId);
  hall.clock.t = Date.parse('2026-11-10T02:00:00Z');
  await hall.relogin();
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  await context.addCookies([{ name: 'hcp_session', value: hall.manager.token, url: hall.gw.httpUrl, httpOnly: true, sameSite: 'Strict' }]);
  page = await context.newPage();
  await page.goto(`${hall.gw.httpUrl}/#/paper`);
  await page.getByTestId('paper-view').waitFor();
  await settle(page);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await hall?.stop();
});

async function enterCard(serial: string, date: string, levelText: string, reasons: string[] = []): Promise<void> {
  // Element Plus puts an ElInput's attributes on its <input>: the test id names the input itself.
  await page.getByTestId('paper-serial').click();
  await page.keyboard.type(serial);
  await page.keyboard.press('Enter');
  await page.getByTestId('paper-card').or(page.getByTestId('paper-refusal')).first().waitFor();
  await page.keyboard.type(date);
  await page.keyboard.press('Enter');
  await page.getByTestId('paper-level').getByText(levelText, { exact: true }).click();
  for (const r of reasons) await page.getByTestId('paper-reasons').getByText(r).click();
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/paper/entries'));
  await page.getByTestId('paper-submit').click();
  await answered;
  await settle(page, 200);
}

describe('the paper card screen', () => {
  it('prints a batch for window 01: the PDF downloads and the batch is listed', async () => {
    await page.getByRole('tab', { name: '印制评议卡' }).click();
    await page.getByTestId('paper-print-window').click();
    await page.locator('.el-select-dropdown__item').filter({ hasText: '01 · 市场监管局' }).click();
    await page.getByTestId('paper-print-count').locator('input').fill('8');
    await page.getByTestId('paper-print-count').locator('input').press('Tab');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('paper-print-submit').click()]);
    expect(file.suggestedFilename()).toMatch(/^cards-01-2026-11-10-[0-9a-f]{8}\.pdf$/);
    expect(
      readFileSync((await file.path())!)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    await page.getByTestId('paper-batches').getByText('0 / 8').waitFor();
    await settle(page);
    expect(await shot('print')).toEqual([]);
    expect(await textProblems(page, true)).toEqual([]);
  }, 30_000);

  it('enters a card as a scanner would, refuses it the second time, and marks a late one in the list', async () => {
    const batch = (await hall.gw.store.db.selectFrom('paper_batches').select('batch_id').orderBy('printed_at', 'desc').executeTakeFirst())!.batch_id;
    const printed = await serialsOf(hall.gw, batch);
    expect(printed).toHaveLength(8);
    // Opening the screen, the cursor waits in the serial field; a scanner "types" the card's code and Enter, and the cursor moves to the date.
    await page.reload();
    await page.getByTestId('paper-view').waitFor();
    await settle(page);
    expect(await activeTestId()).toBe('paper-serial');
    await page.keyboard.type(`HCP-CARD:${printed[0]}`);
    await page.keyboard.press('Enter');
    await page.getByTestId('paper-card').waitFor();
    expect(await page.getByTestId('paper-card').textContent()).toContain('窗口 01 · 市场监管局');
    expect(await activeTestId()).toBe('paper-date');
    await page.keyboard.type('2026-11-10');
    await page.keyboard.press('Enter');
    await page.getByTestId('paper-level').getByText('满意', { exact: true }).click();
    await page.getByTestId('paper-submit').click();
    await page.getByTestId('paper-done').waitFor();
    expect(await page.getByTestId('paper-done').textContent()).toContain(`已录入卡号 ${formatSerial(printed[0]!)}（01 号窗口）`);
    expect(await activeTestId()).toBe('paper-serial');
    expect(await shot('entered')).toEqual([]);

    await enterCard(formatSerial(printed[0]!), '2026-11-10', '满意');
    const refusal = page.getByTestId('paper-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('这张卡已经录入过，不能重复录入');
    expect(await refusal.textContent()).toContain(`card ${formatSerial(printed[0]!)} was entered already`);
    expect(await shot('duplicate')).toEqual([]);

    await page.getByRole('button', { name: '清空' }).click();
    await enterCard(earlier[0]!, '2026-11-02', '不满意', ['213']);
    expect(await page.getByTestId('paper-done').textContent()).toContain('已标记为逾期录入');

    await page.getByRole('tab', { name: '已录入' }).click();
    await settle(page);
    const rows = page.getByTestId('paper-entries').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const late = rows.filter({ has: page.getByTestId('paper-late') });
    expect(await late.count()).toBe(1);
    expect(await late.textContent()).toContain(formatSerial(earlier[0]!));
    expect(await late.textContent()).toContain('6 个工作日');
    expect(await shot('list')).toEqual([]);
    expect(await textProblems(page, true)).toEqual([]);
    expect(await hall.gw.store.db.selectFrom('assessments').select('channel').where('channel', '=', 'paper-card').execute()).toHaveLength(2);
  }, 60_000);
});
