/**
 * The poster buttons of the 窗口 screen in Chromium (needs `npm run build:console`): a manager
 * clicks a window's 评价海报, a tab opens on that window's poster, and the PDF it shows — fetched
 * with the browser's own session, rendered to PNG, the QR code decoded — leads to the window's
 * rating page. In a hall without qrBaseUrl the buttons are off and the page says why. Screens at
 * both sizes with axe (test-artifacts/console/windows-posters-*.png).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { Gateway } from '../../gateway/gateway.js';
import { windowPostersFeature } from '../../gateway/registry/window-poster-feature.js';
import { capture, launchBrowser, OUT, SIZES } from './console-browser.js';
import { qrCodesOfPdf } from './poster-qr.js';

const FEATURES = GATEWAY_FEATURES.some((f) => f.name === windowPostersFeature.name) ? GATEWAY_FEATURES : [...GATEWAY_FEATURES, windowPostersFeature];
const QR_BASE = 'https://pj.example.gov.cn/hcp';

interface Hall {
  gw: Gateway;
  tokens: Record<'it' | 'manager' | 'supervisor', string>;
}

async function startHall(dir: string, qrBaseUrl: string | undefined): Promise<Hall> {
  const hall = { hallName: '测试政务服务中心', ...(qrBaseUrl ? { qrBaseUrl } : {}) };
  const config = parseGatewayConfig({ dataDir: join(dir, 'data'), http: { port: 0 }, mqtt: { port: 0 }, hall }, FEATURES, dir);
  const gw = new Gateway(config, pino({ level: 'silent' }), { features: FEATURES });
  await gw.start();
  await gw.registry.upsertWindow({ windowId: 'w-03', number: '03', department: '不动产登记中心' });
  await gw.registry.upsertWindow({ windowId: 'w-08', number: '08', department: '税务局' });
  const tokens = {} as Hall['tokens'];
  for (const [name, role] of [
    ['it', 'hall-it'],
    ['manager', 'manager'],
    ['supervisor', 'supervisor'],
  ] as const) {
    await gw.auth.createUser(name, `poster-console-${name}`, role);
    const r = await gw.auth.login(name, `poster-console-${name}`, '127.0.0.1');
    if (!r.ok) throw new Error(r.why);
    tokens[name] = r.token;
  }
  return { gw, tokens };
}

async function windowsPage(browser: Browser, hall: Hall, who: keyof Hall['tokens']): Promise<Page> {
  const context = await browser.newContext({ viewport: SIZES[0], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.addCookies([{ name: 'hcp_session', value: hall.tokens[who], url: hall.gw.httpUrl, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.goto(`${hall.gw.httpUrl}/#/registry/windows`);
  await page.getByTestId('window-list').locator('tbody tr').first().waitFor();
  return page;
}

/** The QR code on the first page of a poster PDF. */
const qrOnFirstPage = (pdf: Buffer, name: string) => qrCodesOfPdf(pdf, join(OUT, 'posters'), name)[0];

describe('window posters in the console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-poster-console-'));
  let browser: Browser;
  let hall: Hall;
  let bare: Hall;

  beforeAll(async () => {
    browser = await launchBrowser();
    hall = await startHall(join(dir, 'hall'), QR_BASE);
    bare = await startHall(join(dir, 'bare'), undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await hall?.gw.stop();
    await bare?.gw.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens a window's poster from its row, and the code printed on it leads to that window's rating page", async () => {
    const page = await windowsPage(browser, hall, 'manager');
    const row = page.getByTestId('window-list').locator('tbody tr', { hasText: '不动产登记中心' });
    const button = row.getByTestId('window-poster');
    await expect(button.isEnabled()).resolves.toBe(true);
    expect(await button.getAttribute('aria-label')).toBe('打印 03 号窗口的评价海报');
    await expect(page.getByTestId('posters-off').count()).resolves.toBe(0);

    const [tab] = await Promise.all([page.context().waitForEvent('page'), button.click()]);
    // Headless Chromium has no PDF viewer: the tab's address is what it opened; the file is fetched with the same session.
    await tab.waitForURL(/\.pdf$/).catch(() => undefined);
    const url = tab.url();
    expect(url).toBe(`${hall.gw.httpUrl}/api/windows/w-03/poster.pdf`);
    const res = await page.context().request.get(url);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect(qrOnFirstPage(await res.body(), 'console-w-03')).toBe(`${QR_BASE}/w/w-03`);

    expect(await capture(page, 'windows-posters')).toEqual([]);
    await page.context().close();
  });

  it('prints all posters from the top of the page for hall IT', async () => {
    const page = await windowsPage(browser, hall, 'it');
    const [tab] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('posters-all').click()]);
    await tab.waitForURL(/\.pdf$/).catch(() => undefined);
    expect(tab.url()).toBe(`${hall.gw.httpUrl}/api/windows/posters.pdf`);
    const res = await page.context().request.get(tab.url());
    expect(qrOnFirstPage(await res.body(), 'console-all')).toBe(`${QR_BASE}/w/w-03`);
    await page.context().close();
  });

  it('offers no poster to a supervisor', async () => {
    const page = await windowsPage(browser, hall, 'supervisor');
    await expect(page.getByTestId('window-poster').count()).resolves.toBe(0);
    await expect(page.getByTestId('posters-all').count()).resolves.toBe(0);
    await page.context().close();
  });

  it('turns the poster buttons off in a hall without qrBaseUrl and says why', async () => {
    const page = await windowsPage(browser, bare, 'manager');
    await page.getByTestId('posters-off').waitFor();
    expect(await page.getByTestId('posters-off').textContent()).toContain('hall.qrBaseUrl');
    for (const b of await page.getByTestId('window-poster').all()) await expect(b.isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('posters-all').isDisabled()).resolves.toBe(true);
    // Clicking an off button opens nothing.
    let opened = false;
    page.context().on('page', () => {
      opened = true;
    });
    await page.getByTestId('window-poster').first().click({ force: true });
    await page.waitForTimeout(300);
    expect(opened).toBe(false);
    expect(await capture(page, 'windows-posters-off')).toEqual([]);
    await page.context().close();
  });
});
