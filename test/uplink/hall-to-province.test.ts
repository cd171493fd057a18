/**
 * The whole path (issue 4, "Must show" 1, with real parts): a window's business system posts cases
 * to a real gateway process, the gateway pushes each invitation to the window's real device, the
 * citizen rates, and the provincial simulator ends with every rating exactly once, with its case and
 * item.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { startGateway, writeGatewayConfig } from '../../scripts/lib/gateway-process.js';
import { DEMO_STAFF, REPO_ROOT, startDevice } from '../support/device-process.js';

const until = async (what: () => Promise<boolean>, ms: number, why: string) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(`timed out: ${why}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('business system → gateway → device → province', () => {
  it('every case rating reaches the province once, with case and item', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-h2p-'));
    const sim = new ProvinceSim({ key: 'province-shared-key-0001', dbFile: join(dir, 'sim.db'), port: 0 });
    const simUrl = await sim.start();
    const cfg = writeGatewayConfig(join(dir, 'gw'), {
      province: { url: `${simUrl}/province/ratings`, appId: 'hcp-lf', key: 'province-shared-key-0001', areaCode: '131000', deptCode: 'LF-ZWFW' },
    });
    const apiKey = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), 'create-business-key', '--config', cfg, '--user', 'biz-1'], {
      cwd: REPO_ROOT,
    })
      .stdout.toString()
      .trim();
    const gw = await startGateway(cfg, join(dir, 'gw', 'data'));
    await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
    await gw.api('PUT', '/api/staff', { ...DEMO_STAFF, windowId: 'w-01' });
    const { code } = (await gw.api('POST', '/api/devices', { deviceId: 'dev-h2p-1', windowId: 'w-01' })).body;
    const dev = await startDevice({ deviceId: 'dev-h2p-1', dir: join(dir, 'dev'), config: { gateway: { url: gw.http, mqttUrl: gw.mqttUrl, enrolmentCode: code } } });
    try {
      await until(async () => (await dev.api('GET', '/api/state')).body.window.id === 'w-01', 10_000, 'device config');
      await dev.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
      const postCase = (caseNo: string) =>
        fetch(`${gw.http}/api/cases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ caseNo, windowNumber: '01', itemCode: '11131000MB0001', itemName: '个体工商户注册登记' }),
        });
      const levels = [5, 4, 2, 5, 3];
      for (const [i, level] of levels.entries()) {
        const caseNo = `LF-2026-${String(i + 1).padStart(4, '0')}`;
        expect((await postCase(caseNo)).status).toBe(200);
        expect((await postCase(caseNo)).status).toBe(200); // idempotent: no second invitation
        await until(async () => (await dev.api('GET', '/api/state')).body.invitation?.caseNo === caseNo, 5000, `invitation ${caseNo}`);
        expect((await dev.api('POST', '/api/rate', { level })).status).toBe(200);
        if (level <= 2) await dev.api('POST', '/api/details', { ratingId: (await dev.api('GET', '/api/state')).body.lastRating.id, reasons: [209] });
      }
      const unknown = await fetch(`${gw.http}/api/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ caseNo: 'X-1', windowNumber: '99' }),
      });
      expect(unknown.status).toBe(404);
      await until(async () => sim.count() === levels.length, 20_000, 'ratings at the province');
      const stored = sim.stored().map((s) => s.record);
      expect(new Set(stored.map((r) => r.assessId)).size).toBe(levels.length);
      expect(stored.map((r) => r.projectNo).sort()).toEqual(levels.map((_, i) => `LF-2026-${String(i + 1).padStart(4, '0')}`));
      for (const r of stored) expect(r).toMatchObject({ taskCode: '11131000MB0001', taskName: '个体工商户注册登记', pf: 4 });
      expect(stored.find((r) => r.projectNo === 'LF-2026-0003')).toMatchObject({ satisfaction: 2, evalDetail: '209' });
    } finally {
      await dev.stop();
      await gw.stop();
      await sim.stop();
    }
  }, 120_000);
});
