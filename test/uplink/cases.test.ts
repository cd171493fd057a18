/**
 * Cases (R9) and defaults (R7) end to end: a business system posts cases over real HTTP, the
 * invitations reach the (fake) devices, the devices' ratings land in `records`, the uplink
 * delivers to the simulator; unrated cases get 基本满意 exactly when 5 working days have passed.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvitePayload } from '../../device/contract/index.js';
import { createChinaCalendar } from '../../gateway/calendar/working-days.js';
import { CasesFeature } from '../../gateway/cases/cases-feature.js';
import { ContactCipher } from '../../gateway/cases/contact-crypto.js';
import { HttpProvinceAdapter } from '../../gateway/uplink/http-adapter.js';
import { UplinkFeature } from '../../gateway/uplink/uplink-feature.js';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { FakeDevice, openRecordsDb, storeRecords } from './support/fixtures.js';

const KEY = 'test-shared-key-0123456789';
const profile = { areaCode: '131000', deptCode: 'LF-01' };
const log = pino({ level: 'silent' });
const contactKey = randomBytes(32);
let dir: string;
let sim: ProvinceSim;
let db: ReturnType<typeof openRecordsDb>;
let app: FastifyInstance;
let uplink: UplinkFeature | null;
let clock: number;
const invites: Array<{ deviceId: string; invite: InvitePayload }> = [];
const windows: Record<string, string> = { W01: 'dev-c01', W02: 'dev-c02', W03: 'dev-c03' };

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(): Promise<{ cases: CasesFeature; url: string; apiKey: string }> {
  const cases = new CasesFeature({
    db, logger: log, calendar: createChinaCalendar(), profile, contactKey, now: () => clock,
    publishInvite: (deviceId, invite) => void invites.push({ deviceId, invite }),
    deviceForWindow: (w) => windows[w] ?? null,
  });
  app = Fastify();
  await app.register(cases.plugin);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { cases, url, apiKey: cases.keys.issue('qlzx-ywxt') };
}

function startUplink(): UplinkFeature {
  uplink = new UplinkFeature({
    db, profile, logger: log,
    adapter: new HttpProvinceAdapter({ url: `${sim.url}/province/ratings`, appId: 'hall-1', key: KEY }),
    sender: { baseBackoffMs: 20, maxBackoffMs: 200, idleMs: 20 }, pumpEveryMs: 50,
  });
  uplink.start();
  return uplink;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cases-'));
  db = openRecordsDb(join(dir, 'gateway.db'));
  sim = new ProvinceSim({ key: KEY, dbFile: join(dir, 'province.db') });
  await sim.start();
  invites.length = 0;
  uplink = null;
  clock = Date.now();
});
afterEach(async () => {
  await uplink?.stop();
  await app.close();
  await sim.stop();
  db.close();
});

describe('cases from business systems', () => {
  it('validates, is idempotent, encrypts contact, and every case rating reaches the province once with its case and item', async () => {
    const { url, apiKey } = await setup();
    const post = (body: unknown, key = apiKey) => fetch(`${url}/api/cases`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
    expect((await post({ caseNo: 'X', windowNumber: 'W01' }, 'qlzx-ywxt.wrong')).status).toBe(401);
    const bad = await post({ caseNo: '', windowNumber: 'W01' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/caseNo/);
    const unknown = await post({ caseNo: 'X', windowNumber: 'W99' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/window W99/);

    for (let i = 0; i < 30; i++) {
      const w = `W0${(i % 3) + 1}`;
      const res = await post({ caseNo: `LF2025-${i}`, windowNumber: w, itemCode: `ITEM-${i % 4}`, itemName: `事项${i % 4}`, applicant: { name: '张三', phone: '13900000000' } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toMatch(/张三|13900000000/);
    }
    expect((await post({ caseNo: 'LF2025-0', windowNumber: 'W01', itemCode: 'ITEM-0', itemName: '事项0' })).status).toBe(200); // retry
    expect((await post({ caseNo: 'LF2025-0', windowNumber: 'W02' })).status).toBe(409);
    expect(invites).toHaveLength(30);
    const stored = db.prepare("SELECT contact_enc FROM cases WHERE case_no = 'LF2025-1'").pluck().get() as string;
    expect(stored).not.toMatch(/13900000000/);
    expect(new ContactCipher(contactKey).open(stored, 'LF2025-1')).toEqual({ name: '张三', phone: '13900000000' });

    // Each device rates the invitation it was shown.
    const devices = new Map(Object.values(windows).map((id, k) => [id, new FakeDevice(id, `W0${k + 1}`)]));
    const t0 = Date.now() - 600_000;
    const recs = invites.map(({ deviceId, invite }, i) => devices.get(deviceId)!.rating(new Date(t0 + i * 1000), 4, { caseNo: invite.caseNo, itemCode: invite.itemCode, itemName: invite.itemName }));
    storeRecords(db, recs, new Date(t0));
    startUplink();
    await until(() => sim.count() === 30);
    const got = sim.stored().map((s) => s.record);
    expect(new Set(got.map((r) => r.projectNo)).size).toBe(30);
    for (const r of got) {
      const i = Number(r.projectNo.split('-')[1]);
      expect(r).toMatchObject({ taskCode: `ITEM-${i % 4}`, taskName: `事项${i % 4}`, windowNo: `W0${(i % 3) + 1}`, pf: 4, isDefault: 0 });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.stats.accepted).toBe(30);
  });

  it('defaults exactly once, exactly when 5 working days have passed across National Day 2025', async () => {
    // Invited Fri 2025-09-26 10:00 China time. Working days after it: Sun 28 (make-up), Mon 29,
    // Tue 30, then Oct 1-8 off, Thu Oct 9, Fri Oct 10 → the 5th working day is Oct 10.
    clock = Date.parse('2025-09-26T10:00:00+08:00');
    const { cases, url, apiKey } = await setup();
    for (const caseNo of ['D-1', 'D-2', 'D-3']) {
      const res = await fetch(`${url}/api/cases`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ caseNo, windowNumber: 'W01', itemCode: 'I-9', itemName: '变更登记' }) });
      expect(res.status).toBe(200);
    }
    // D-2 is rated on Oct 10, just in time.
    const dev = new FakeDevice('dev-c01', 'W01');
    const inv = invites.find((x) => x.invite.caseNo === 'D-2')!.invite;
    storeRecords(db, [dev.rating(new Date('2025-10-10T15:00:00+08:00'), 5, { caseNo: 'D-2', itemCode: inv.itemCode })], new Date('2025-10-10T15:00:05+08:00'));

    for (const t of ['2025-10-01T12:00:00+08:00', '2025-10-08T23:59:00+08:00', '2025-10-10T23:59:59+08:00']) {
      clock = Date.parse(t);
      expect(cases.scheduler.tick(), t).toBe(0);
    }
    clock = Date.parse('2025-10-11T00:00:01+08:00'); // a Saturday, but the deadline day is over
    expect(cases.scheduler.tick()).toBe(2);
    expect(cases.scheduler.tick()).toBe(0);
    const states = Object.fromEntries((db.prepare('SELECT case_no, state FROM cases').all() as Array<{ case_no: string; state: string }>).map((r) => [r.case_no, r.state]));
    expect(states).toEqual({ 'D-1': 'defaulted', 'D-2': 'rated', 'D-3': 'defaulted' });

    startUplink();
    await until(() => sim.count() === 3);
    const byCase = Object.fromEntries(sim.stored().map((s) => [s.record.projectNo, s.record]));
    expect(byCase['D-1']).toMatchObject({ satisfaction: 3, pf: 7, isDefault: 1, taskCode: 'I-9', assessTime: '2025-10-11 00:00:01' });
    expect(byCase['D-3']).toMatchObject({ satisfaction: 3, pf: 7, isDefault: 1 });
    expect(byCase['D-2']).toMatchObject({ satisfaction: 5, pf: 4, isDefault: 0 });
  });
});
