/**
 * A hall for the phone tests, from real parts: the provincial simulator, an in-process gateway
 * whose public address (hall.qrBaseUrl, with a path prefix) is a loopback TCP proxy in front of it
 * — the way a phone comes in, and a switch to make it unreachable —, a real device process on
 * window w-01 with a staff member logged in, and a business system's key for cases.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { PhoneFeature } from '../../gateway/phone/phone-feature.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { TcpProxy } from '../sync/tcp-proxy.js';

export const SIM_KEY = 'phone-test-province-key-01';
export const SHOTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'phone');

export const until = async (what: () => Promise<boolean> | boolean, ms: number, why: string) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(`timed out: ${why}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PhoneHall {
  dir: string;
  gw: Gateway;
  sim: ProvinceSim;
  proxy: TcpProxy;
  /** What the kiosk puts in its codes: the proxy, with a path prefix. */
  qrBaseUrl: string;
  device: RunningDevice;
  deviceId: string;
  phone: PhoneFeature;
  apiKey: string;
  /** Send what reaches the public address to another local port (another server), or back to the gateway (null). */
  pointPublicAddressAt(port: number | null): void;
  postCase(caseNo: string, windowNumber?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startPhoneHall(phone: Record<string, unknown> = {}): Promise<PhoneHall> {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-phone-'));
  mkdirSync(SHOTS, { recursive: true });
  const sim = new ProvinceSim({ key: SIM_KEY, dbFile: join(dir, 'province.db'), port: 0 });
  const simUrl = await sim.start();
  const port = await freePort();
  let target = port;
  const proxy = new TcpProxy(() => target);
  const qrBaseUrl = `http://127.0.0.1:${await proxy.start()}/hall`;
  const gw = await startInProcessGateway({
    dir,
    http: { port, host: '127.0.0.1' },
    sections: {
      hall: { hallName: '廊坊市政务服务中心', qrBaseUrl },
      province: { url: `${simUrl}/province/ratings`, appId: 'hcp-lf', key: SIM_KEY, areaCode: '131000', deptCode: 'LF-ZWFW', outbox: { holdMs: 0, pumpEveryMs: 200 } },
      // Probed by the tests themselves (probe()), not on a timer they would race.
      phone: { probeEveryMs: 3_600_000, probeTimeoutMs: 1500, addressPerHour: 3, ...phone },
    },
  });
  const deviceId = 'dev-phone-1';
  await gw.registry.upsertStaff({ ...DEMO_STAFF, windowId: 'w-01' });
  const { code } = await gw.enrolment.registerDevice(deviceId, 'w-01');
  const device = await startDevice({
    deviceId,
    dir: join(dir, 'device'),
    config: { gateway: { url: gw.httpUrl, mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code } },
  });
  await until(async () => (await device.api('GET', '/api/state')).body.window?.id === 'w-01', 15_000, 'device config');
  await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
  const apiKey = await (gw.features.get('cases') as CasesFeature).keys.issue('biz-phone');
  const postCase = async (caseNo: string, windowNumber = '01') => {
    const res = await fetch(`${gw.httpUrl}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ caseNo, windowNumber, itemCode: '11131000MB0001', itemName: '个体工商户注册登记' }),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    dir,
    gw,
    sim,
    proxy,
    qrBaseUrl,
    device,
    deviceId,
    phone: gw.features.get('phone') as PhoneFeature,
    apiKey,
    pointPublicAddressAt: (p) => {
      target = p ?? port;
    },
    postCase,
    async stop() {
      await device.stop();
      await gw.stop();
      await proxy.stop();
      await sim.stop();
    },
  };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** A citizen's phone: 390×844, touch, no JavaScript (the page must not need it). */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, javaScriptEnabled: false, locale: 'zh-CN' });
}
