/**
 * The hall console in Debian's Chromium against an in-process gateway on loopback that serves the
 * built console (npm run build:console; scripts/setup.sh builds it). The hall is seeded through the
 * API and scripted devices that send real signed ratings (console-stand.ts). Every screen is
 * visited at 1920×1080 and 1366×768, saved under test-artifacts/console/ and checked with axe-core;
 * then what each role may do: a 差评 rings within 2 s, a department head sees only their department,
 * a supervisor has no edit buttons and the API refuses their change, hall IT registers a device,
 * crops and uploads a photo and captures a badge, a screen link opens the lobby screen until revoked,
 * and a 401 sends the user back to the login page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, launchBrowser, pageAs, settle, type ConsolePage } from './console-browser.js';
import { loggedIn } from '../support/console-client.js';
import { BADGE_TO_CAPTURE, portraitPng, startConsoleStand, tapBadgesOn, USERS, type ConsoleStand } from './console-stand.js';

let stand: ConsoleStand;
let browser: Browser;
const problems: string[] = [];
const opened: ConsolePage[] = [];

beforeAll(async () => {
  stand = await startConsoleStand();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  for (const p of opened) await p.context.close().catch(() => undefined);
  await browser?.close();
  await stand?.stop();
});

async function open(role: Parameters<typeof pageAs>[2], hash = ''): Promise<ConsolePage> {
  const p = await pageAs(browser, stand, role);
  opened.push(p);
  if (hash) await p.page.goto(`${stand.url}/#${hash}`);
  return p;
}

describe('the hall console', () => {
  it('logs in on the login page, showing the gateway’s refusal of a wrong password', async () => {
    const { page, errors } = await open(null, '/live');
    await page.getByTestId('login-username').waitFor();
    expect(page.url()).toMatch(/#\/login\?redirect=/);
    problems.push(...(await capture(page, 'login')));
    await page.getByTestId('login-username').fill(USERS.manager.username);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/用户名或密码错误[\s\S]*wrong username or password/);
    problems.push(...(await capture(page, 'login-error')));
    await page.getByTestId('login-password').fill(USERS.manager.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('live-total').waitFor();
    expect(page.url()).toMatch(/#\/live$/);
    expect(await page.getByTestId('hall-name').textContent()).toBe('测试大厅');
    expect(errors).toEqual([]);
  });

  it('shows every screen cleanly at 1920×1080 and 1366×768', async () => {
    const it1 = await open('hall-it');
    for (const [screen, hash, ready] of [
      ['devices', '/devices', 'device-online'],
      ['alerts', '/alerts', 'ack'],
      ['departments', '/registry/departments', 'department-tree'],
      ['windows', '/registry/windows', 'window-list'],
      ['items', '/registry/items', 'item-list'],
      ['staff', '/registry/staff', 'staff-photo'],
      ['registry-devices', '/registry/devices', 'registry-device-list'],
      ['accounts', '/accounts', 'account-list'],
      ['screen-links', '/screen-links', 'screen-link-label'],
    ] as const) {
      await it1.page.goto(`${stand.url}/#${hash}`);
      await it1.page.getByTestId(ready).first().waitFor();
      problems.push(...(await capture(it1.page, screen)));
    }
    // A dialog of each kind: the staff form (with badge capture) and the department form.
    await it1.page.goto(`${stand.url}/#/registry/staff`);
    await it1.page.getByTestId('edit').first().click();
    await it1.page.getByTestId('staff-no').waitFor();
    problems.push(...(await capture(it1.page, 'staff-dialog')));

    const mgr = await open('manager');
    for (const [screen, hash, ready] of [
      ['live', '/live', 'feed-row'],
      ['integrity', '/integrity', 'flag-count'],
    ] as const) {
      await mgr.page.goto(`${stand.url}/#${hash}`);
      await mgr.page.getByTestId(ready).first().waitFor();
      problems.push(...(await capture(mgr.page, screen)));
    }
    await mgr.page.getByTestId('flag-count').first().click();
    await mgr.page.getByTestId('flagged-ratings').locator('tbody tr').first().waitFor();
    problems.push(...(await capture(mgr.page, 'integrity-ratings')));

    // The same live page in English: every text switches, Element Plus's too.
    await mgr.page.goto(`${stand.url}/#/live`);
    await mgr.page.getByTestId('language-switch').getByText('English').click();
    await expect.poll(() => mgr.page.getByTestId('menu-live').textContent()).toContain('Live hall');
    problems.push(...(await capture(mgr.page, 'live-en', { chinese: false })));
    await mgr.page.getByTestId('language-switch').getByText('中文').click();

    const aud = await open('auditor', '/audit');
    await aud.page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
    problems.push(...(await capture(aud.page, 'audit')));
    // The export is the gateway's CSV, with the session cookie (the link is a plain GET).
    const href = await aud.page.getByTestId('audit-export').getAttribute('href');
    const csv = await aud.context.request.get(href!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);

    for (const p of [it1, mgr, aud]) expect(p.errors).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('rings a 差评 within 2 s, and the figures follow the stream', async () => {
    const { page } = await open('manager', '/live');
    await page.getByTestId('stream-state').and(page.locator('[data-state="open"]')).waitFor();
    const before = Number(await page.getByTestId('live-total').textContent());
    const d2 = stand.devices.get('dev-w02')!;
    const t0 = Date.now();
    await d2.send([d2.rating(1, {}, { staffId: 's-002' })]);
    await page.getByTestId('bad-alert').waitFor({ timeout: 2000 });
    const rang = Date.now() - t0;
    expect(rang).toBeLessThan(2000);
    expect(await page.getByTestId('bad-alert').textContent()).toMatch(/02号窗口[\s\S]*非常不满意/);
    expect(Number(await page.evaluate(() => document.documentElement.dataset.alarmAt ?? 0))).toBeGreaterThanOrEqual(t0);
    await expect.poll(() => page.getByTestId('live-total').textContent(), { timeout: 5000 }).toBe(String(before + 1));
    expect(await page.getByTestId('feed-row').first().getAttribute('data-bad')).toBe('true');
    await settle(page);
    await page.screenshot({ path: `${(await import('./console-browser.js')).OUT}/live-bad-alert-1920.png` });
  });

  it('shows a department head their department only', async () => {
    const { page } = await open('dept-head', '/live');
    await page.getByTestId('window-table').waitFor();
    const menu = await page
      .getByTestId('menu')
      .locator('[data-testid^="menu-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(menu.sort()).toEqual(['menu-departments', 'menu-followups', 'menu-integrity', 'menu-items', 'menu-live', 'menu-paper', 'menu-registry', 'menu-staff', 'menu-windows']);
    // 税务局 and the section below it: windows 02 and 03, nobody else's.
    const windows = await page.getByTestId('window-table').locator('tbody tr td:first-child').allTextContents();
    expect(windows.map((w) => w.trim()).sort()).toEqual(['02', '03']);
    problems.push(...(await capture(page, 'live-dept-head')));
    await page.goto(`${stand.url}/#/registry/windows`);
    await page.getByTestId('window-department').first().waitFor();
    expect((await page.getByTestId('window-department').allTextContents()).sort()).toEqual(['税务局', '税务局征收管理科']);
    problems.push(...(await capture(page, 'windows-dept-head')));
    // A page the role may not open sends it to its first page.
    await page.goto(`${stand.url}/#/devices`);
    await expect.poll(() => page.url()).toMatch(/#\/live$/);
    expect(problems).toEqual([]);
  });

  it('gives a supervisor no edit buttons, and the API refuses their change', async () => {
    const { page } = await open('supervisor');
    for (const [hash, ready] of [
      ['/registry/departments', 'department-tree'],
      ['/registry/windows', 'window-list'],
      ['/registry/items', 'item-list'],
      ['/registry/staff', 'staff-list'],
      ['/devices', 'device-table'],
      ['/alerts', 'alert-table'],
    ] as const) {
      await page.goto(`${stand.url}/#${hash}`);
      await page.getByTestId(ready).waitFor();
      await settle(page, 100);
      expect(await page.locator('[data-change]').count(), `change controls on ${hash}`).toBe(0);
    }
    problems.push(...(await capture(page, 'alerts-supervisor')));
    const sup = stand.as.supervisor;
    expect((await sup.call('PUT', '/api/windows', { windowId: 'w-09', number: '09', department: '税务局' })).status).toBe(403);
    expect((await sup.call('POST', '/api/alerts/1/ack', { comment: 'looked' })).status).toBe(403);
    expect(problems).toEqual([]);
  });

  it('lets hall IT acknowledge an alert only with a comment', async () => {
    const { page } = await open('hall-it', '/alerts');
    await page.getByTestId('ack').first().waitFor();
    const before = await page.getByTestId('ack').count();
    await page.getByTestId('ack').first().click();
    await page.getByTestId('ack-save').click();
    await page.getByText('请填写处理说明').waitFor();
    await page.getByTestId('ack-comment').fill('已更换面板 USB 线');
    await page.getByTestId('ack-save').click();
    await expect.poll(() => page.getByTestId('ack').count()).toBe(before - 1);
  });

  it('lets hall IT register a device and print its provisioning sheet', async () => {
    const { page } = await open('hall-it', '/registry/devices');
    await page.getByTestId('create').click();
    await page.getByTestId('device-id').fill('dev-w05');
    await page.getByTestId('device-window').click();
    await page.locator('.el-select-dropdown__item').filter({ hasText: '04 · 公安局' }).click();
    await page.getByTestId('save').click();
    await page.getByTestId('enrolment-qr').first().waitFor();
    expect(await page.getByTestId('enrolment-code').first().textContent()).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    problems.push(...(await capture(page, 'device-code')));
    // Printed, the sheet is all there is on the page.
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: `${(await import('./console-browser.js')).OUT}/provisioning-sheet-print.png`, fullPage: true });
    expect(await page.getByTestId('print-sheet-copy').isVisible()).toBe(true);
    expect(await page.getByTestId('menu').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(problems).toEqual([]);
  });

  it('lets hall IT make a manager account that can log in', async () => {
    const p = await open('hall-it', '/accounts');
    const { page } = p;
    await page.getByTestId('create').click();
    await page.getByTestId('account-username').fill('mgr2');
    await page.getByTestId('account-display').fill('吴副主任');
    await page.getByTestId('account-role').click();
    await page.locator('.el-select-dropdown__item').filter({ hasText: '大厅管理' }).click();
    await page.getByTestId('account-password').fill('manager-password-2');
    await page.getByTestId('account-repeat').fill('manager-password-2');
    await page.getByTestId('save').click();
    await page.getByTestId('account-list').getByText('mgr2').waitFor();
    expect(p.errors).toEqual([]);
    const me = await (await loggedIn(stand.gw, 'mgr2', 'manager-password-2')).call('GET', '/api/me');
    expect(me.body).toMatchObject({ username: 'mgr2', role: 'manager', displayName: '吴副主任' });
  });

  it('lets hall IT crop and upload a photo and capture a badge from a device', async () => {
    await tapBadgesOn(stand.devices.get('dev-w02')!, BADGE_TO_CAPTURE);
    const { page } = await open('hall-it', '/registry/staff');
    const row = page.getByTestId('staff-list').locator('tbody tr').filter({ hasText: '李明' });
    await row.getByTestId('change-photo').click();
    await page.getByTestId('photo-file').setInputFiles({ name: 'liming.png', mimeType: 'image/png', buffer: await portraitPng(1200, 900) });
    await page.locator('.cropper-crop-box').waitFor();
    problems.push(...(await capture(page, 'photo-crop')));
    await page.getByTestId('photo-upload').click();
    await row.getByTestId('staff-photo').waitFor();
    const photo = await stand.as['hall-it'].call('GET', '/api/staff');
    expect(photo.body.find((s: { staffId: string }) => s.staffId === 's-002').hasPhoto).toBe(true);

    await row.getByTestId('edit').click();
    await expect.poll(() => page.getByTestId('capture-device').textContent()).toContain('dev-w02');
    await page.getByTestId('capture-start').click();
    await page.getByTestId('capture-outcome').filter({ hasText: BADGE_TO_CAPTURE }).waitFor({ timeout: 10_000 });
    await page.getByTestId('save').click();
    await expect
      .poll(async () => (await stand.as['hall-it'].call('GET', '/api/staff')).body.find((s: { staffId: string }) => s.staffId === 's-002').badgeUids)
      .toEqual(['0A1B2C3D4F', BADGE_TO_CAPTURE]);
    expect(problems).toEqual([]);
  });

  it('opens the lobby screen with a new screen link, and says so once it is revoked', async () => {
    const { page } = await open('manager', '/screen-links');
    await page.getByTestId('screen-link-label').fill('一楼大厅北侧大屏');
    await page.getByTestId('screen-link-create').click();
    const url = await page.getByTestId('screen-link-url').inputValue();
    expect(url).toMatch(/#\/screen\?key=/);

    const lobby = await open(null);
    await lobby.page.goto(url);
    await lobby.page.getByTestId('screen-total').waitFor();
    const summary = (await stand.as.manager.call('GET', '/api/live/summary')).body;
    expect(await lobby.page.getByTestId('screen-total').textContent()).toBe(String(summary.totals.count));
    const text = await lobby.page.getByTestId('lobby-screen').textContent();
    expect(text).not.toMatch(/s-00\d|张晓梅|李明/); // nothing personal on the lobby screen
    problems.push(...(await capture(lobby.page, 'screen')));

    await page.getByTestId('screen-link-revoke').first().click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await expect.poll(() => page.getByTestId('screen-link-revoke').count()).toBe(0);
    await lobby.page.reload();
    await lobby.page.getByTestId('screen-refused').waitFor();
    problems.push(...(await capture(lobby.page, 'screen-revoked')));
    expect(problems).toEqual([]);
  });

  it('sends the user back to the login page when the session ends', async () => {
    const { page } = await open('manager', '/live');
    await page.getByTestId('live-total').waitFor();
    await stand.gw.auth.endSessions(USERS.manager.username);
    // The live page's stream may notice first and send the user to the login page by itself; else
    // the next page's call does. Either way the user lands there, with where they were going.
    const menu = page.getByTestId('menu-devices');
    if (await menu.isVisible()) await menu.click({ timeout: 5000 }).catch(() => undefined);
    await page.getByTestId('login-username').waitFor({ timeout: 10_000 });
    expect(page.url()).toMatch(/#\/login\?redirect=/);
  });
});
