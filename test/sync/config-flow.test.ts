/**
 * Config flows down (issue 3, "Sync"): a roster change made by hall IT reaches an online device
 * within seconds; the device keeps working from its cached config when the gateway is gone; a case
 * invitation pushed by the gateway arms the device and the rating carries the case.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import { startDevice, type RunningDevice } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';
import { startInProcessGateway } from './gateway-fixture.js';

const until = async (what: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - (end - ms);
};

let gw: Gateway;
let device: RunningDevice;
beforeAll(async () => {
  gw = await startInProcessGateway();
  const { code } = await gw.enrolment.registerDevice('dev-cfg-1', 'w-01');
  device = await startDevice({
    deviceId: 'dev-cfg-1',
    dir: mkdtempSync(join(tmpdir(), 'hcp-cfg-')),
    config: { gateway: { url: gw.httpUrl, mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code } },
  });
  // Enrolled, connected, and the retained config for its window has arrived.
  await until(async () => (await device.api('GET', '/api/state')).body.window.id === 'w-01', 10_000);
});
afterAll(async () => {
  await device?.stop();
  await gw?.stop();
});

describe('config and invitations flow down', () => {
  it('a roster change reaches the online device within seconds', async () => {
    expect((await device.api('GET', '/api/state')).body.window).toMatchObject({ id: 'w-01', number: '01', department: '市场监管局' });
    expect((await device.api('POST', '/api/badge', { uid: '00C0FFEE01' })).status).toBe(404);
    const t0 = Date.now();
    await gw.registry.upsertStaff({ staffId: 's-new', staffNo: 'C009', name: '周敏', post: '窗口受理', title: '科员', badgeUids: ['00C0FFEE01'], windowId: 'w-01' });
    await gw.sendConfigs('w-01');
    await until(async () => (await device.api('POST', '/api/badge', { uid: '00C0FFEE01' })).status === 200, 5000);
    console.log(`roster change reached the device in ${Date.now() - t0} ms`);
    expect((await device.api('GET', '/api/state')).body.staff).toMatchObject({ name: '周敏', staffNo: 'C009' });
    expect((await device.api('GET', '/api/state')).body.callbackAvailable).toBe(true);
  });

  it('a case from the business system arms the device, and the rating carries case and item', async () => {
    const key = await (gw.features.get('cases') as CasesFeature).keys.issue('biz-cfg');
    const res = await fetch(`${gw.httpUrl}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ caseNo: 'LF20261125-0042', windowNumber: '01', itemCode: '11131000MB0001', itemName: '个体工商户注册登记' }),
    });
    const answer = (await res.json()) as { delivery: string; invitations: Array<{ inviteId: string }> };
    expect(answer.delivery).toBe('delivered');
    const inviteId = answer.invitations[0]!.inviteId;
    await until(async () => (await device.api('GET', '/api/state')).body.screen === 'armed', 5000);
    expect((await device.api('GET', '/api/state')).body.invitation).toMatchObject({ caseNo: 'LF20261125-0042', itemName: '个体工商户注册登记' });
    expect((await device.api('POST', '/api/rate', { level: 4 })).status).toBe(200);
    const rating = readDeviceRecords(device.dataDir).find((r) => r.kind === 'rating')!;
    expect(rating.kind === 'rating' && rating.invitation).toMatchObject({ id: inviteId, source: 'case', caseNo: 'LF20261125-0042', itemCode: '11131000MB0001' });
    await until(async () => (await gw.store.db.selectFrom('records').select('id').where('device_id', '=', 'dev-cfg-1').execute()).length === 1, 5000);
  });

  it('works from the cached config with the gateway gone', async () => {
    await gw.stop();
    await until(async () => (await device.api('GET', '/api/state')).body.connection.gateway === 'offline', 10_000);
    await device.api('POST', '/api/invite');
    expect((await device.api('POST', '/api/rate', { level: 5 })).status).toBe(200);
    expect((await device.api('GET', '/api/status')).body.backlog).toBe(1);
    expect((await device.api('GET', '/api/state')).body.staff.name).toBe('周敏');
  });
});
