/**
 * The 村级数据导入 screen in Chromium against an in-process gateway with the village feature and its
 * receipt certificate (needs `npm run build:console`): a real device, enrolled once and then offline,
 * takes six ratings and exports its bundle to the "USB stick"; hall IT picks the file, imports it and
 * sees 8 records stored, none before, none rejected; downloads the receipt, which the device then
 * takes (it is its gateway's, for itself); the same bundle again is all "stored before". Screens with
 * axe: test-artifacts/console/village-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../device/bundle/bundle-export.js';
import { importReceipt } from '../../device/bundle/receipt-import.js';
import type { Gateway } from '../../gateway/gateway.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { DrillClock, VillageDevice, makeHallTls, startVillageGateway, tmp, type HallTls } from '../village/village-world.js';
import { capture, launchBrowser } from './console-browser.js';

const dir = tmp('hcp-village-console-');
const clock = new DrillClock(Date.parse('2025-03-03T09:00:00+08:00'));
const stick = join(dir, 'usb');
let tls: HallTls;
let gw: Gateway;
let dev: VillageDevice;
let bundleFile: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tls = makeHallTls(join(dir, 'tls'));
  gw = await startVillageGateway({ dir, clock, tls });
  await gw.auth.createUser('it-zhao', 'village-console-1', 'hall-it');
  const login = await gw.auth.login('it-zhao', 'village-console-1', '127.0.0.1');
  if (!login.ok) throw new Error(login.why);
  // Enrolled at the town hall (online once), then taken to the village: no network from here on.
  const { code } = await gw.enrolment.registerDevice('dev-v01', 'w-01');
  dev = new VillageDevice('dev-v01', join(dir, 'dev-v01'), clock, { url: gw.httpUrl, mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code, caFile: tls.caFile });
  await dev.start(true);
  const online = async () => (await gw.store.db.selectFrom('devices').select('online').where('device_id', '=', 'dev-v01').executeTakeFirst())?.online === 1;
  expect(await waitUntil(online, 15_000)).toBe(true);
  await dev.stop();
  await dev.start(false);
  for (const [i, level] of ([5, 4, 1, 5, 2, 3] as const).entries()) await dev.rate(`QL-${i}`, level);
  const exported = exportBundle({ dataDir: dev.config.dataDir, deviceId: dev.deviceId, outDir: stick, now: () => clock.t });
  if (!exported.written) throw new Error(exported.reason);
  bundleFile = exported.file;

  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  await context.addCookies([{ name: 'hcp_session', value: login.token, url: gw.httpUrl, httpOnly: true, sameSite: 'Strict' }]);
  page = await context.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await gw?.stop();
});

const counts = async () => ({
  records: await page.getByTestId('village-records').textContent(),
  stored: await page.getByTestId('village-stored').textContent(),
  already: await page.getByTestId('village-already').textContent(),
  rejected: (await page.getByTestId('village-rejected').textContent())?.trim(),
});

async function importPicked(): Promise<void> {
  await page.getByTestId('village-file').setInputFiles(bundleFile);
  await page.getByTestId('village-import').click();
  await page.getByTestId('village-result').waitFor();
}

describe('the village bundles screen', () => {
  it('imports the bundle picked from the stick and shows what was stored', async () => {
    await page.goto(`${gw.httpUrl}/#/village`);
    await page.locator('.el-menu').getByText('村级数据导入').waitFor();
    await importPicked();
    expect(await counts()).toEqual({ records: '8', stored: '8', already: '0', rejected: '无' });
    expect(await page.getByTestId('village-result').textContent()).toContain('dev-v01');
    expect(await capture(page, 'village-imported')).toEqual([]);
  });

  it('downloads the receipt file, which the device takes as its gateway’s', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('village-receipt').click()]);
    expect(download.suggestedFilename()).toBe('hcp-receipt-dev-v01-seq1-8.json');
    const saved = join(stick, download.suggestedFilename());
    await download.saveAs(saved);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toMatchObject({ deviceId: 'dev-v01', committedThroughSeq: 8 });
    expect(importReceipt({ dataDir: dev.config.dataDir, deviceId: 'dev-v01', caFile: tls.caFile, file: saved })).toMatchObject({ ok: true, backlog: 0 });
  });

  it('shows the same bundle imported again as stored before, nothing twice', async () => {
    await importPicked();
    await page.getByTestId('village-already').filter({ hasText: '8' }).waitFor();
    expect(await counts()).toEqual({ records: '8', stored: '0', already: '8', rejected: '无' });
    expect(await capture(page, 'village-again')).toEqual([]);
  });

  it('says so when the file is not a bundle, and stores nothing', async () => {
    await page.getByTestId('village-file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('not json at all') });
    await page.getByTestId('village-import').click();
    await page.getByTestId('village-not-json').waitFor();
    await page.getByTestId('village-file').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"something else"}') });
    await page.getByTestId('village-import').click();
    expect(await page.getByTestId('form-error').textContent()).toContain('网关答复');
  });
});
