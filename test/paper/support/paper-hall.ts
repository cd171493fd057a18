/**
 * A hall for the paper-card suites: the in-process gateway (every feature, the paper one included)
 * on loopback with a moveable clock, the provincial simulator it sends to (with the province's code
 * for paper cards set, as NATIONAL-SPEC asks: never guessed), a manager and the head of 税务局
 * (window w-02; w-01 belongs to 市场监管局), each with a bearer session.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway } from '../../../gateway/gateway.js';
import { ProvinceSim } from '../../../scripts/province-sim/sim-server.js';
import { loggedIn, type ConsoleClient } from '../../support/console-client.js';
import { startInProcessGateway } from '../../sync/gateway-fixture.js';
import { TestClock } from '../../uplink/support/fixtures.js';

export const PROVINCE_KEY = 'province-shared-key-0001';
/** The province's channel code for a paper card in these tests: a value the profile sets, as a real one would. */
export const PAPER_PF = 8;
export const QR_BASE = 'https://pingjia.example.gov.cn';

export interface PaperHall {
  gw: Gateway;
  sim: ProvinceSim;
  clock: TestClock;
  manager: ConsoleClient;
  taxHead: ConsoleClient;
  /** Sessions expire when the clock is moved days ahead: log both in again. */
  relogin(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPaperHall(o: { at: string; qrBaseUrl?: string | null; withProvince?: boolean; http?: Record<string, unknown> }): Promise<PaperHall> {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-paper-'));
  const clock = new TestClock(Date.parse(o.at));
  const sim = new ProvinceSim({ key: PROVINCE_KEY, dbFile: join(dir, 'sim.db'), port: 0 });
  const simUrl = await sim.start();
  const qrBaseUrl = o.qrBaseUrl === undefined ? QR_BASE : o.qrBaseUrl;
  const gw = await startInProcessGateway({
    dir,
    clock,
    ...(o.http ? { http: o.http } : {}),
    sections: {
      hall: { hallName: '廊坊市政务服务中心', ...(qrBaseUrl ? { qrBaseUrl } : {}) },
      ...(o.withProvince === false
        ? {}
        : { province: { url: `${simUrl}/province/ratings`, appId: 'hcp-lf', key: PROVINCE_KEY, areaCode: '131000', deptCode: 'LF-ZWFW', pf: { 'paper-card': PAPER_PF } } }),
    },
  });
  const departments = await gw.store.db.selectFrom('departments').select(['department_id', 'name']).execute();
  const tax = departments.find((d) => d.name === '税务局')!.department_id;
  await gw.auth.createUser('mgr1', 'manager-password-1', 'manager', { displayName: '钱主任' });
  await gw.auth.createUser('taxhead', 'taxhead-password-1', 'dept-head', { departmentId: tax, displayName: '孙科长' });
  const hall: PaperHall = {
    gw,
    sim,
    clock,
    manager: await loggedIn(gw, 'mgr1', 'manager-password-1'),
    taxHead: await loggedIn(gw, 'taxhead', 'taxhead-password-1'),
    async relogin() {
      hall.manager = await loggedIn(gw, 'mgr1', 'manager-password-1');
      hall.taxHead = await loggedIn(gw, 'taxhead', 'taxhead-password-1');
    },
    async stop() {
      await gw.stop();
      await sim.stop();
    },
  };
  return hall;
}

/** The serials of a batch in print order, as the store keeps them. */
export async function serialsOf(gw: Gateway, batchId: string): Promise<string[]> {
  const rows = await gw.store.db.selectFrom('paper_cards').select('serial').where('batch_id', '=', batchId).orderBy('position').execute();
  return rows.map((r) => r.serial);
}
