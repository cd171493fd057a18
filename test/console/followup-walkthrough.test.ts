/**
 * Issue 12, "Must show": the whole follow-up of a 差评 in Debian's Chromium, against the in-process
 * gateway serving the built console on a fake clock the test moves (browser clocks moved with it).
 * A 差评 from a scripted device at window 02 (税务局) opens a follow-up; the hall manager assigns it
 * to the head of 税务局, who verifies it (属实) and chooses 限期整改 — due 2026-12-08, five working
 * days after Tuesday 2026-12-01 (Wed 2, Thu 3, Fri 4, Mon 7, Tue 8; the Langfang profile). The
 * clock passes the end of that day: the list shows it overdue and escalated to the hall managers,
 * and the alert board has the overdue alert. An extension of 2 working days is asked and approved:
 * due 2026-12-10 (Wed 9, Thu 10). Rectified, replied, called back with a 再评价 of 不满意 → reopened
 * with a fresh deadline (2026-12-16); settled again (立行立改), rectified, a 再评价 of 非常满意,
 * closed with its root cause. A second 差评 is appealed
 * and the supervisor writes it off: the live figures of the day no longer count it and the
 * follow-up shows the write-off record. A third, rated in December and written off after the
 * December report was published in January, makes that report's next version, which names the one
 * it replaces and the write-off. On the way: the call-back number opened once by the handler
 * (masked elsewhere), and a head of another department who cannot see the follow-up at all.
 * Screens: test-artifacts/console/followups-*-{1920,1366}.png, each checked with axe-core.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, launchBrowser, settle } from './console-browser.js';
import { choose, COUNTER_PHOTO, EVIDENCE_PDF, personPage, submitStep, type PersonPage } from './followup/followup-pages.js';
import { startFollowupStand, type FollowupStand, type Person } from './followup/followup-stand.js';

const PHONE = '13812345678';
let stand: FollowupStand;
let browser: Browser;
const pages = {} as Record<Person, PersonPage>;
const problems: string[] = [];
let firstId = '';

beforeAll(async () => {
  stand = await startFollowupStand('2026-12-01T09:00:00+08:00');
  browser = await launchBrowser();
  for (const who of ['manager', 'taxHead', 'marketHead', 'supervisor'] as const) pages[who] = await personPage(browser, stand, who);
}, 60_000);
afterAll(async () => {
  for (const p of Object.values(pages)) await p.context.close().catch(() => undefined);
  await browser?.close();
  await stand?.stop();
});

/** Move the gateway's clock, run its clockwork, and bring every browser and session to the new day. */
async function moveTo(iso: string): Promise<void> {
  stand.at(iso);
  await stand.tick();
  await stand.relogin();
  for (const p of Object.values(pages)) await p.sync();
}

/** Minutes pass (people take their time between steps): the clocks move, no clockwork runs. */
async function later(minutes: number): Promise<void> {
  stand.at(new Date(stand.clock.t + minutes * 60_000).toISOString());
  for (const p of Object.values(pages)) await p.sync();
}

/** Screenshots once the success toasts are gone, so they hide nothing. */
async function shoot(p: PersonPage, screen: string, o: { chinese?: boolean } = {}): Promise<void> {
  await p.page
    .locator('.el-message')
    .first()
    .waitFor({ state: 'detached', timeout: 6000 })
    .catch(() => undefined);
  problems.push(...(await capture(p.page, screen, o)));
}

const text = async (p: PersonPage, testId: string) => ((await p.page.getByTestId(testId).first().textContent()) ?? '').trim();
const detail = (id: string) => `/followups?id=${id}`;

describe('the 差评 follow-up in the console', () => {
  it('opens a follow-up for a 差评 and the manager assigns it to the department head', async () => {
    await stand.rate(5);
    const bad = await stand.rate(1, { phone: PHONE, reasons: [115, 209], comment: '等了一个多小时，窗口还说材料不全' });
    firstId = await stand.followupOf(bad.id);

    const mgr = pages.manager;
    await mgr.open('/followups', 'followup-table');
    const row = mgr.page.getByTestId('followup-table').locator('tbody tr').first();
    expect(await row.getByTestId('row-department').textContent()).toBe('税务局');
    expect(await row.getByTestId('row-step').textContent()).toBe('待指派');
    expect(await row.textContent()).toMatch(/02号窗口[\s\S]*李明[\s\S]*非常不满意[\s\S]*未指派[\s\S]*2026-12-08/);
    const tax = mgr.page.getByTestId('followup-summary').locator('[data-department="税务局"]');
    expect(await tax.locator('[data-count="open"]').textContent()).toContain('1');
    expect(await tax.locator('[data-count="unassigned"]').textContent()).toContain('1');
    await shoot(mgr, 'followups-list');

    await row.getByTestId('open-followup').click();
    await mgr.page.getByTestId('rating-facts').waitFor();
    await settle(mgr.page);
    // The rating's facts in words, never who rated; the number masked.
    expect(await text(mgr, 'rating-reasons')).toMatch(/服务态度差效率低[\s\S]*未在承诺时间内办结/);
    expect(await text(mgr, 'rating-comment')).toBe('等了一个多小时，窗口还说材料不全');
    expect(await text(mgr, 'contact-masked')).toBe('号码：***********');
    expect(await mgr.page.locator('body').textContent()).not.toContain(PHONE);
    await shoot(mgr, 'followups-detail-received');

    await later(20);
    await mgr.page.getByTestId('assign-handler').fill('taxhead');
    await submitStep(mgr.page, 'assign-submit');
    expect(await text(mgr, 'followup-handler')).toBe('taxhead');
    expect(await text(mgr, 'followup-step')).toBe('核实中');
    expect(await text(mgr, 'not-your-step')).toBe('这一步由处理人 taxhead 办理。');
  });

  it('the department head verifies, opens the call-back number once, and chooses 限期整改', async () => {
    const head = pages.taxHead;
    await later(95);
    await head.open(detail(firstId), 'next-step');
    await choose(head.page, 'verify-finding', '属实');
    await head.page.getByTestId('step-note').fill('已电话联系评价人，窗口确有让群众等候过久的情况');
    await head.page.getByTestId('step-files-input').setInputFiles({ name: '窗口现场.png', mimeType: 'image/png', buffer: COUNTER_PHOTO });
    await head.page.getByTestId('attached-file').waitFor();
    await submitStep(head.page);
    expect(await text(head, 'followup-step')).toBe('整改中');
    const verified = head.page.locator('[data-kind="verified"]');
    expect(await verified.textContent()).toMatch(/核实[\s\S]*taxhead[\s\S]*属实 · 已联系评价人/);
    // The attachment is downloadable with the session.
    const href = await verified.getByTestId('attachment-link').getAttribute('href');
    const file = await head.context.request.get(href!);
    expect(file.status()).toBe(200);
    expect(Buffer.from(await file.body()).equals(COUNTER_PHOTO)).toBe(true);

    await head.page.getByTestId('contact-reason').fill('回访评价人核实情况');
    await head.page.getByTestId('contact-open').click();
    await head.page.getByTestId('contact-phone').waitFor();
    expect(await text(head, 'contact-phone')).toBe(PHONE);
    expect(await head.page.getByTestId('contact-panel').textContent()).toContain('记入审计日志');
    await head.page.getByTestId('contact-panel').scrollIntoViewIfNeeded();
    await shoot(head, 'followups-contact');
    await head.page.getByTestId('contact-hide').click();
    expect(await head.page.locator('body').textContent()).not.toContain(PHONE);
    const audit = await stand.gw.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'contact-opened').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(PHONE);

    await later(40);
    await choose(head.page, 'resolve-resolution', '限期整改');
    await choose(head.page, 'resolve-category', '复杂问题');
    await head.page.getByTestId('step-note').fill('调整窗口叫号规则，增加材料预审');
    await submitStep(head.page);
    expect(await text(head, 'followup-due')).toBe('2026-12-08');
    expect(await head.page.getByTestId('mark-overdue').count()).toBe(0);
    await shoot(head, 'followups-detail-rectifying');
  });

  it('shows it overdue and escalated once the due day has passed, with the alert', async () => {
    await moveTo('2026-12-09T10:00:00+08:00');
    const mgr = pages.manager;
    await mgr.open('/followups', 'followup-table');
    const row = mgr.page.getByTestId('followup-table').locator('tbody tr').first();
    await row.getByTestId('mark-overdue').waitFor();
    expect(await row.getByTestId('row-escalated').textContent()).toMatch(/大厅管理 · 第 1 级/);
    const tax = mgr.page.getByTestId('followup-summary').locator('[data-department="税务局"]');
    expect(await tax.locator('[data-count="overdue"]').textContent()).toContain('1');
    expect(await tax.locator('[data-count="escalated"]').textContent()).toContain('1');
    await mgr.page.getByTestId('filter-overdue').click();
    await expect.poll(() => mgr.page.url()).toContain('overdue=1');
    await expect.poll(() => mgr.page.getByTestId('followup-table').locator('tbody tr').count()).toBe(1);
    await shoot(mgr, 'followups-overdue');

    await mgr.open('/alerts', 'alert-table');
    expect(await mgr.page.getByTestId('alert-table').textContent()).toMatch(/差评整改已逾期[\s\S]*2026-12-08/);
    await shoot(mgr, 'followups-alert');

    await mgr.open(detail(firstId), 'followup-timeline');
    expect(await mgr.page.locator('[data-kind="escalated"]').textContent()).toMatch(/逾期升级[\s\S]*系统[\s\S]*第 1 级升级至大厅管理/);
    expect(await text(mgr, 'mark-escalated')).toMatch(/已升级至大厅管理/);
  });

  it('an extension asked by the handler and approved by the manager moves the due date', async () => {
    const head = pages.taxHead;
    await head.open(detail(firstId), 'extension-panel');
    await head.page.getByTestId('extension-reason').fill('需要采购叫号设备，供货商两天后到货');
    await submitStep(head.page, 'extension-ask');
    expect(await text(head, 'extension-pending')).toMatch(/taxhead.*申请延期 2 天/);
    expect(await head.page.getByTestId('extension-approve').count()).toBe(0);

    const mgr = pages.manager;
    await later(30);
    await mgr.open(detail(firstId), 'extension-pending');
    await shoot(mgr, 'followups-extension');
    await mgr.page.getByTestId('extension-note').fill('同意延期两个工作日');
    await submitStep(mgr.page, 'extension-approve');
    expect(await text(mgr, 'followup-due')).toBe('2026-12-10');
    expect(await text(mgr, 'mark-extended')).toBe('已延期 2 天');
    expect(await mgr.page.getByTestId('mark-overdue').count()).toBe(0);
    expect(await mgr.page.locator('[data-kind="extension-approved"]').textContent()).toMatch(/mgr1[\s\S]*2 天 · 新期限 2026-12-10/);
  });

  it('a bad 再评价 reopens it; a good one lets it close with its root cause', async () => {
    const head = pages.taxHead;
    await head.open(detail(firstId), 'next-step');
    await head.page.getByTestId('step-note').fill('叫号设备已安装，材料预审已上线');
    await submitStep(head.page); // rectify
    await later(60);
    await head.page.getByTestId('step-note').fill('电话告知评价人整改情况');
    await submitStep(head.page); // reply (by phone, the default)
    expect(await text(head, 'followup-step')).toBe('已反馈');
    await later(60);
    await choose(head.page, 'callback-outcome', '评价人已再评价');
    await choose(head.page, 'callback-rerating', '不满意');
    await head.page.getByTestId('step-note').fill('评价人认为等候时间仍然过长');
    await submitStep(head.page);
    expect(await text(head, 'followup-step')).toBe('整改中');
    expect(await text(head, 'mark-reopened')).toBe('重新整改 1 次');
    expect(await head.page.locator('[data-kind="reopened"]').textContent()).toMatch(/再评价不满意，重新整改[\s\S]*再评价：不满意/);
    await shoot(head, 'followups-reopened');

    // Reopened with a fresh deadline from that day, Wednesday 12-09: Thu 10, Fri 11, Mon 14, Tue 15, Wed 16.
    expect(await text(head, 'followup-due')).toBe('2026-12-16');
    expect(await head.page.getByTestId('next-step').textContent()).toContain('下一步：确定处置方式');
    await choose(head.page, 'resolve-resolution', '立行立改');
    await head.page.getByTestId('step-note').fill('当天增开一个综合窗口分流');
    await submitStep(head.page); // decided again
    await head.page.getByTestId('step-note').fill('增开一个综合窗口分流');
    await submitStep(head.page); // rectify again
    await head.page.getByTestId('step-note').fill('再次电话告知评价人');
    await submitStep(head.page); // reply
    await later(90);
    await choose(head.page, 'callback-outcome', '评价人已再评价');
    await choose(head.page, 'callback-rerating', '非常满意');
    await head.page.getByTestId('step-note').fill('评价人表示满意');
    await submitStep(head.page);
    expect(await text(head, 'followup-rerating')).toBe('非常满意');
    await choose(head.page, 'close-root-cause', '办事流程');
    await head.page.getByTestId('close-action').fill('调整叫号规则，增开综合窗口，材料预审上线');
    await submitStep(head.page);
    expect(await text(head, 'followup-step')).toBe('已办结');
    expect(await text(head, 'followup-root-cause')).toBe('办事流程');
    expect(await head.page.getByTestId('next-step').count()).toBe(0);
    expect(await head.page.getByTestId('contact-open').count()).toBe(0);
    await shoot(head, 'followups-closed');
  });

  it('a head of another department sees none of it', async () => {
    const other = pages.marketHead;
    await other.open(detail(firstId), 'followup-hidden');
    expect(await text(other, 'followup-hidden')).toContain('不在您负责的部门范围内');
    expect(await other.page.getByTestId('rating-facts').count()).toBe(0);
    await shoot(other, 'followups-hidden');
    await other.open('/followups', 'empty');
    await shoot(other, 'followups-out-of-scope');
  });

  it('an appeal the supervisor approves writes the second 差评 off the live figures', async () => {
    await stand.rate(4);
    const bad = await stand.rate(2, { reasons: [115] });
    const secondId = await stand.followupOf(bad.id);
    const mgr = pages.manager;
    await mgr.open('/live', 'live-total');
    const before = { total: Number(await text(mgr, 'live-total')), bad: Number(await text(mgr, 'live-bad')) };
    expect(before.bad).toBeGreaterThanOrEqual(1);

    const head = pages.taxHead;
    await head.open(detail(secondId), 'appeal-grounds');
    await head.page.getByTestId('appeal-grounds').fill('监控显示评价时窗口无人办理业务，系误按');
    await head.page.getByTestId('appeal-files-input').setInputFiles({ name: '监控截图说明.pdf', mimeType: 'application/pdf', buffer: EVIDENCE_PDF });
    await head.page.getByTestId('attached-file').waitFor();
    await submitStep(head.page, 'appeal-file');
    expect(await head.page.getByTestId('appeal').textContent()).toMatch(/待审批[\s\S]*taxhead/);
    expect(await head.page.getByTestId('appeal-approve').count()).toBe(0);

    await later(45);
    const sup = pages.supervisor;
    await sup.open(detail(secondId), 'appeal-approve');
    await shoot(sup, 'followups-appeal');
    await choose(sup.page, 'appeal-kind', '误评');
    await sup.page.getByTestId('appeal-reason').fill('证据属实，予以核销');
    await submitStep(sup.page, 'appeal-approve');
    await sup.page.getByTestId('write-off-record').waitFor();
    expect(await text(sup, 'write-off-record')).toMatch(/此差评已核销[\s\S]*误评 · sup1[\s\S]*证据属实，予以核销[\s\S]*不再计入任何统计/);
    expect(await text(sup, 'mark-written-off')).toBe('已核销');
    await shoot(sup, 'followups-written-off');

    await mgr.open('/live', 'live-total');
    await expect.poll(async () => Number(await text(mgr, 'live-total'))).toBe(before.total - 1);
    expect(Number(await text(mgr, 'live-bad'))).toBe(before.bad - 1);
    await shoot(mgr, 'followups-live-after-write-off');
    await mgr.open('/followups', 'followup-table');
    expect(await mgr.page.getByTestId('followup-table').locator('tbody tr').first().getByTestId('mark-written-off').textContent()).toBe('已核销');
  });

  it('a write-off after the month was published makes the next report version, which says why', async () => {
    // A third 差评 in December; the December report is published in January; then the appeal is
    // approved: the report is made again as v2, naming v1 and the write-off.
    const late = await stand.rate(1, { reasons: [115] });
    const lateId = await stand.followupOf(late.id);
    await moveTo('2027-01-04T09:00:00+08:00');
    const made = await stand.as.manager.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-12' });
    expect([200, 201]).toContain(made.status); // the schedule may have made it at the tick already
    const v1 = (await stand.as.manager.call('GET', '/api/reports?kind=monthly&period=2026-12')).body.snapshots.at(-1);
    const filed = await stand.as.taxHead.call('POST', `/api/followups/${lateId}/appeals`, { grounds: '评价人当场表示误按，窗口录像为证' });
    expect(filed.status).toBe(200);
    expect((await stand.as.supervisor.call('POST', `/api/appeals/${filed.body.appealId}/decision`, { approve: true, kind: 'mistaken', reason: '经核实为误按' })).status).toBe(200);

    const mgr = pages.manager;
    expect((await stand.as.manager.call('POST', '/api/reports/generate', { kind: 'monthly', period: '2026-12' })).status).toBe(201);
    await mgr.open('/reports', 'report-table');
    const next = `monthly-2026-12-v${v1.version + 1}`;
    const row = mgr.page
      .getByTestId('report-table')
      .locator('tbody tr')
      .filter({ has: mgr.page.locator(`[data-snapshot="${next}"]`) });
    await row.waitFor();
    expect(await row.textContent()).toContain(`取代 ${v1.snapshotId}`);
    expect(await row.textContent()).toContain('发布后核销 1 条评价');
    const { content } = (await stand.as.manager.call('GET', `/api/reports/${next}`)).body;
    const before = (await stand.as.manager.call('GET', `/api/reports/${v1.snapshotId}`)).body.content;
    expect(content.totals.tally.writtenOff).toBe(before.totals.tally.writtenOff + 1);
    await shoot(mgr, 'followups-report-next-version');
  });

  it('the follow-up page in English', async () => {
    const mgr = pages.manager;
    await mgr.open(detail(firstId), 'followup-timeline');
    await mgr.page.getByTestId('language-switch').getByText('English').click();
    await expect.poll(() => text(mgr, 'followup-step')).toBe('Closed');
    await shoot(mgr, 'followups-closed-en', { chinese: false });
    await mgr.page.getByTestId('language-switch').getByText('中文').click();
  });

  it('showed every screen cleanly', () => {
    for (const p of Object.values(pages)) expect(p.errors).toEqual([]);
    expect(problems).toEqual([]);
  });
});
