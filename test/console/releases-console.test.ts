/**
 * The 软件发布 screen in Chromium against an in-process gateway with the releases feature on (needs
 * `npm run build:console`): hall IT picks a signed release's two files (made by scripts/make-release.ts
 * from a small stand-in build) and uploads it, sees it listed, starts a rollout to a canary chosen
 * from the enrolled devices and sees the canary offered and the rest held. The canary (a scripted
 * device with a real enrolled key) then reports that it rolled back: the screen shows the state and
 * the device's reason, and the 告警 page shows the alert the gateway raised. Screens with axe:
 * test-artifacts/console/releases-*.png.
 */
import { sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateCheckInText, type UpdateReport } from '../../device/contract/release.js';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { Gateway } from '../../gateway/gateway.js';
import { makeRelease, makeReleaseKey } from '../../scripts/make-release.js';
import { ScriptedDevice } from '../support/scripted-device.js';
import { capture, launchBrowser } from './console-browser.js';

const dir = mkdtempSync(join(tmpdir(), 'hcp-releases-console-'));
let gw: Gateway;
let browser: Browser;
let page: Page;
let token: string;
let release: ReturnType<typeof makeRelease>;
const devices: ScriptedDevice[] = [];

/** Wait until `locator` shows `text` (the page may still be answering), then answer its text. */
async function shows(locator: Locator, text: string): Promise<string> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 20_000 });
  return (await locator.first().textContent()) ?? '';
}

/** A build's shape with nothing in it: make-release needs device/main.js, package.json and its lock. */
function standInBuild(): string {
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'device'), { recursive: true });
  writeFileSync(join(dist, 'device', 'main.js'), 'console.log("hcp device");\n');
  writeFileSync(join(dist, 'package.json'), JSON.stringify({ name: 'hcp', version: '0.1.0', type: 'module' }));
  writeFileSync(join(dist, 'package-lock.json'), JSON.stringify({ name: 'hcp', lockfileVersion: 3, packages: {} }));
  return dist;
}

/** The device's update check-in, signed with its enrolled key over a fresh challenge, as the launcher sends it. */
async function checkIn(device: ScriptedDevice, reports: UpdateReport[]): Promise<number> {
  const url = (tail: string) => `${gw.httpUrl}/api/releases/device/${device.deviceId}/${tail}`;
  const { challenge } = (await (await fetch(url('challenge'), { method: 'POST' })).json()) as { challenge: string };
  const signature = sign(null, Buffer.from(updateCheckInText(device.deviceId, challenge)), device.key).toString('base64');
  const r = await fetch(url('check-in'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ challenge, signature, runningVersion: '0.1.0', reports }),
  });
  return r.status;
}

beforeAll(async () => {
  const key = makeReleaseKey(join(dir, 'key'));
  release = makeRelease({ dist: standInBuild(), version: '0.2.0', keyFile: key.privateFile, outDir: join(dir, 'out'), notes: '修复按键面板重连' });
  const config = parseGatewayConfig(
    { dataDir: join(dir, 'data'), http: { port: 0 }, mqtt: { port: 0 }, hall: { hallName: '测试政务服务中心' }, releases: { trustedKeys: [key.publicFile] } },
    GATEWAY_FEATURES,
    dir,
  );
  gw = new Gateway(config, pino({ level: 'silent' }), { features: GATEWAY_FEATURES });
  await gw.start();
  await gw.registry.upsertWindow({ windowId: 'w-01', number: '01', department: '市场监管局' });
  await gw.registry.upsertWindow({ windowId: 'w-02', number: '02', department: '税务局' });
  for (const [id, windowId] of [
    ['dev-a01', 'w-01'],
    ['dev-a02', 'w-02'],
  ] as const) {
    const { code } = await gw.enrolment.registerDevice(id, windowId);
    const device = new ScriptedDevice(id, windowId, gw.httpUrl);
    expect((await device.enrol(code)).status).toBe(200);
    devices.push(device);
  }
  // Registered but never enrolled: not offered as a canary.
  await gw.enrolment.registerDevice('dev-a03', 'w-01');
  await gw.auth.createUser('it-wang', 'releases-console-1', 'hall-it');
  const login = await gw.auth.login('it-wang', 'releases-console-1', '127.0.0.1');
  if (!login.ok) throw new Error(login.why);
  token = login.token;
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.addCookies([{ name: 'hcp_session', value: token, url: gw.httpUrl, httpOnly: true, sameSite: 'Strict' }]);
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the releases screen', () => {
  it('uploads a signed release picked as two files, and lists it', async () => {
    await page.goto(`${gw.httpUrl}/#/releases`);
    await page.locator('.el-menu').getByText('软件发布').waitFor();
    await page.getByTestId('release-list').or(page.getByTestId('empty')).first().waitFor();
    await page.getByTestId('release-tarball').setInputFiles(release.tarball);
    await page.getByTestId('release-manifest').setInputFiles(release.releaseFile);
    await page.getByTestId('release-upload').click();
    const row = page.getByTestId('release-list').locator('tbody tr').filter({ hasText: '0.2.0' });
    await row.waitFor();
    expect(await row.textContent()).toContain('it-wang');
    expect(await row.textContent()).toContain('修复按键面板重连');
    expect(await capture(page, 'releases-list')).toEqual([]);
  });

  it('refuses the same version again with the gateway’s reason', async () => {
    await page.getByTestId('release-tarball').setInputFiles(release.tarball);
    await page.getByTestId('release-manifest').setInputFiles(release.releaseFile);
    await page.getByTestId('release-upload').click();
    expect(await shows(page.getByTestId('form-error'), 'is uploaded already')).toContain('release 0.2.0 is uploaded already');
  });

  it('starts a rollout to a canary from the enrolled devices: the canary is offered, the rest wait', async () => {
    await page.getByTestId('release-open-0.2.0').click();
    await page.getByTestId('rollout-canary').click();
    const options = page.locator('.el-select-dropdown__item:visible');
    // Enrolled devices only (dev-a03 is registered but never enrolled); polled while the dropdown opens.
    await expect.poll(() => options.allTextContents(), { timeout: 10_000 }).toEqual(['dev-a01', 'dev-a02']);
    await options.filter({ hasText: 'dev-a01' }).click();
    await page.getByTestId('rollout-start').click();
    const list = page.getByTestId('release-device-list');
    expect(await shows(list.locator('tbody tr').filter({ hasText: 'dev-a01' }), '已推送')).toContain('试点');
    expect(await shows(list.locator('tbody tr').filter({ hasText: 'dev-a02' }), '等待试点')).toContain('其余');
    await page.getByTestId('rollout-continue').waitFor();
    expect(await capture(page, 'releases-rollout')).toEqual([]);
  });

  it('shows a canary that rolled back with its reason, and the alert board says so', async () => {
    const reason = 'health check failed: the local API did not answer within 60 s';
    expect(await checkIn(devices[0]!, [{ version: '0.2.0', state: 'rolled-back', reason }])).toBe(200);
    await page.reload();
    await page.getByTestId('release-open-0.2.0').click();
    const canary = page.getByTestId('release-device-list').locator('tbody tr').filter({ hasText: 'dev-a01' });
    await shows(canary, '已退回旧版本');
    expect(await canary.getByTestId('release-device-reason').textContent()).toBe(reason);
    expect(await capture(page, 'releases-rolled-back')).toEqual([]);

    await page.goto(`${gw.httpUrl}/#/alerts`);
    const alert = page.locator('tbody tr').filter({ hasText: '设备升级失败，已退回旧版本' });
    expect(await shows(alert, 'dev-a01')).toContain(reason);
    expect(await capture(page, 'releases-alert')).toEqual([]);
  });

  it('raises a refusal once per device, ignores a report on a release never offered, and clears on a healthy report', async () => {
    const live = async () => (await gw.alerts.list()).filter((a) => a.kind.startsWith('update-') && !a.clearedAt).map((a) => `${a.kind} ${a.subject} ×${a.count}`);
    // dev-a02 is held, not offered: its report changes nothing and raises nothing.
    expect(await checkIn(devices[1]!, [{ version: '0.2.0', state: 'refused', reason: 'needs 0.1.5 first' }])).toBe(200);
    expect(await live()).toEqual(['update-rolled-back dev-a01 ×1']);
    await page.goto(`${gw.httpUrl}/#/releases`);
    await page.getByTestId('release-open-0.2.0').click();
    await page.getByTestId('rollout-continue').click();
    await shows(page.getByTestId('release-device-list').locator('tbody tr').filter({ hasText: 'dev-a02' }), '已推送');
    expect(await checkIn(devices[1]!, [{ version: '0.2.0', state: 'refused', reason: 'needs 0.1.5 first' }])).toBe(200);
    expect(await live()).toEqual(['update-failed dev-a02 ×1', 'update-rolled-back dev-a01 ×1']);
    await gw.alerts.acknowledge((await gw.alerts.list()).find((a) => a.subject === 'dev-a01')!.id, 'it-wang', '已知，等待新版本');
    // The canary offered again and healthy this time: its alert clears.
    const offered = await fetch(`${gw.httpUrl}/api/releases/0.2.0/rollout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rest: ['dev-a01'] }),
    });
    expect(offered.status).toBe(200);
    expect(await checkIn(devices[0]!, [{ version: '0.2.0', state: 'healthy' }])).toBe(200);
    expect(await live()).toEqual(['update-failed dev-a02 ×1']);
  });
});
