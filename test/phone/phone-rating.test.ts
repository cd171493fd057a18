/**
 * Issue 13, "Phone rating": a citizen's phone (Chromium, 390×844, touch, JavaScript off) scans
 * the kiosk's codes and rates; the ratings end at the provincial simulator with pf 3; a case is
 * rated once whichever of phone or device comes first, and the other says so; a 差评 from the
 * phone opens its follow-up. Everything goes through the hall's public address (a proxy, with a
 * path prefix), as a phone would.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasonsForLevel } from '@hcp/contract';
import { buildRenderer } from '../../electron-app/build.js';
import { launchBrowser, phoneContext, SHOTS, sleep, startPhoneHall, until, type PhoneHall } from './phone-hall.js';

let hall: PhoneHall;
let browser: Browser;
const state = async () => (await hall.device.api('GET', '/api/state')).body;
const atProvince = (assessId: string) => hall.sim.stored().find((s) => s.assessId === assessId);

beforeAll(async () => {
  await buildRenderer();
  hall = await startPhoneHall();
  browser = await launchBrowser();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await hall?.stop();
});

describe('rating by phone behind the kiosk codes', () => {
  it('the static window code: the page works without JavaScript, the rating reaches the province with pf 3, and the same browser cannot rate the window again', async () => {
    const windowQrUrl = (await state()).windowQrUrl as string;
    expect(windowQrUrl).toBe(`${hall.qrBaseUrl}/w/w-01`);
    const ctx = await phoneContext(browser);
    const page = await ctx.newPage();
    const res = await page.goto(windowQrUrl);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(page.locator('.hall').textContent()).resolves.toBe('廊坊市政务服务中心');
    await expect(page.locator('.window').textContent()).resolves.toContain('01 号窗口');
    expect(await page.locator('button.level').allTextContents()).toEqual([
      '非常满意Very satisfied',
      '满意Satisfied',
      '基本满意Fairly satisfied',
      '不满意Dissatisfied',
      '非常不满意Very dissatisfied',
    ]);
    // The stylesheet came from the gateway under the strict policy: targets are large.
    const box = await page.locator('button.level').first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(64);
    await page.screenshot({ path: join(SHOTS, 'window-levels.png'), fullPage: true });

    await sleep(3100); // a form posted sooner than 3 s after its page is refused (a script, not a citizen)
    await page.locator('button.level[value="5"]').tap();
    await page.locator('h1', { hasText: '感谢您的评价！' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'thanks.png'), fullPage: true });

    const stored = await hall.gw.store.db.selectFrom('assessments').selectAll().where('channel', '=', 'qr-window').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ window_id: 'w-01', window_number: '01', level: 5, case_no: null, source: 'channel' });
    await until(() => atProvince(stored[0]!.assess_id) !== undefined, 15_000, 'the window rating at the province');
    expect(atProvince(stored[0]!.assess_id)!.record).toMatchObject({ pf: 3, satisfaction: 5 });

    // The same browser, again: refused with a page that says why.
    const again = await page.goto(windowQrUrl);
    expect(again?.status()).toBe(429);
    await expect(page.locator('main').textContent()).resolves.toContain('您刚刚评价过本窗口');
    await page.screenshot({ path: join(SHOTS, 'refused-same-browser.png'), fullPage: true });
    await ctx.close();
  }, 60_000);

  it('the per-case code: a 差评 with reasons from the phone reaches the province and opens its follow-up; the device takes the case off screen, says it was rated on a phone, and takes no rating for it', async () => {
    const caseNo = 'LF-PH-0001';
    expect((await hall.postCase(caseNo)).status).toBe(200);
    await until(async () => (await state()).invitation?.caseNo === caseNo, 10_000, 'the case on the device');
    const { qrUrl, id: inviteId } = (await state()).invitation;
    expect(qrUrl).toBe(`${hall.qrBaseUrl}/r/${hall.deviceId}/${inviteId}`);
    // The kiosk itself (the device's renderer in Chromium), to see what the citizen at the window sees.
    const kioskCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const kiosk = await kioskCtx.newPage();
    await kiosk.goto(`${hall.device.url}/#token=${encodeURIComponent(hall.device.token)}`);
    await kiosk.locator('[data-screen="armed"], .screen.armed').first().waitFor({ timeout: 10_000 });

    const ctx = await phoneContext(browser);
    const page = await ctx.newPage();
    expect((await page.goto(qrUrl))?.status()).toBe(200);
    await expect(page.locator('.item').textContent()).resolves.toContain('个体工商户注册登记');
    await expect(page.locator('h1').textContent()).resolves.toBe('请为本次办件评价');
    await page.screenshot({ path: join(SHOTS, 'case-levels.png'), fullPage: true });
    await sleep(3100);
    await page.locator('button.level[value="2"]').tap();
    await page.locator('h1', { hasText: '请选择不满意的原因' }).waitFor();
    const offered = reasonsForLevel('2020.1', 2);
    expect(await page.locator('label.reason .zh').allTextContents()).toEqual(offered.map((r) => r.zh));
    await page.locator(`input[name="reasons"][value="${offered[0]!.code}"]`).tap();
    await page.locator(`input[name="reasons"][value="${offered[2]!.code}"]`).tap();
    await page.locator('textarea[name="comment"]').fill('跑了好几趟');
    await page.screenshot({ path: join(SHOTS, 'reasons.png'), fullPage: true });
    await page.locator('button.submit').tap();
    await page.locator('h1', { hasText: '感谢您的评价！' }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('转交大厅跟进处理');

    // The device: the invitation is gone, the citizen is told why, and a press rates nothing.
    await until(async () => (await state()).notice === 'rated-on-phone', 10_000, 'the notice on the device');
    expect((await state()).screen).toBe('idle');
    expect((await state()).invitation).toBeNull();
    await kiosk.locator('.notice', { hasText: '此件已在手机上评价' }).waitFor({ timeout: 10_000 });
    await kiosk.screenshot({ path: join(SHOTS, 'kiosk-rated-on-phone.png') });
    const press = await hall.device.api('POST', '/api/rate', { level: 5 });
    expect(press.status).not.toBe(200);
    const inv = await hall.gw.store.db.selectFrom('invitations').select(['state', 'reason']).where('invite_id', '=', inviteId).executeTakeFirstOrThrow();
    expect(inv).toEqual({ state: 'withdrawn', reason: 'rated-on-phone' });

    const a = await hall.gw.store.db.selectFrom('assessments').selectAll().where('case_no', '=', caseNo).execute();
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({
      channel: 'qr-case',
      level: 2,
      assess_number: 1,
      reasons: JSON.stringify([offered[0]!.code, offered[2]!.code]),
      comment: '跑了好几趟',
      item_name: '个体工商户注册登记',
    });
    await until(() => atProvince(a[0]!.assess_id) !== undefined, 15_000, 'the case rating at the province');
    expect(atProvince(a[0]!.assess_id)).toMatchObject({ projectNo: caseNo, assessNumber: 1 });
    expect(atProvince(a[0]!.assess_id)!.record).toMatchObject({ pf: 3, satisfaction: 2, projectNo: caseNo });
    await until(
      async () => (await hall.gw.store.db.selectFrom('followups').select('assess_id').where('assess_id', '=', a[0]!.assess_id).executeTakeFirst()) !== undefined,
      10_000,
      'the follow-up of the phone 差评',
    );
    // The same page again (the citizen pressed back and reloads): 已评价.
    await page.goto(qrUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('已评价');
    await ctx.close();
    await kioskCtx.close();
  }, 90_000);

  it('a case rated on the device first: the phone page says 已评价, and a form opened before is refused the same way', async () => {
    const caseNo = 'LF-PH-0002';
    expect((await hall.postCase(caseNo)).status).toBe(200);
    await until(async () => (await state()).invitation?.caseNo === caseNo, 10_000, 'the case on the device');
    const qrUrl = (await state()).invitation.qrUrl as string;
    const ctx = await phoneContext(browser);
    const early = await ctx.newPage();
    await early.goto(qrUrl); // the citizen scanned, then pressed the device instead
    expect((await hall.device.api('POST', '/api/rate', { level: 4 })).status).toBe(200);
    await until(
      async () => (await hall.gw.store.db.selectFrom('cases').select('state').where('case_no', '=', caseNo).executeTakeFirstOrThrow()).state === 'rated',
      10_000,
      'the device rating at the gateway',
    );
    const page = await ctx.newPage();
    await page.goto(qrUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('已评价');
    await expect(page.locator('main').textContent()).resolves.toContain('每件只评一次');
    await page.screenshot({ path: join(SHOTS, 'already-rated.png'), fullPage: true });
    await sleep(3100);
    await early.locator('button.level[value="1"]').tap();
    await early.locator('h1', { hasText: '已评价' }).waitFor();
    const a = await hall.gw.store.db.selectFrom('assessments').select(['channel', 'assess_number']).where('case_no', '=', caseNo).execute();
    expect(a).toEqual([{ channel: 'device-touch', assess_number: 1 }]);
    await ctx.close();
  }, 60_000);
});
