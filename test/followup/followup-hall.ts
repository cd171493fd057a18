/**
 * A hall for the follow-up suites: the in-process gateway on a real SQLite file with a fake clock
 * (the gateway's Clock) and its log captured; a department tree; one console account per role;
 * and a scripted device that rates with real signed records — a 差评's details carry a call-back
 * number sealed to the key the gateway sent the device in its config, as a kiosk would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { DetailRecord, RatingRecord, SealedContact } from '@hcp/contract';
import { hashRecord, signHash } from '@hcp/contract/chain';
import { sealContact } from '../../device/store/contact-seal.js';
import type { FollowupFeature } from '../../gateway/followup/followup-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { Role } from '../../gateway/http/console-auth.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';
import { ScriptedDevice } from '../support/scripted-device.js';

/** 政务服务中心 above two bureaus and the office a routing rule sends social-security items to. */
export const DEPARTMENTS = [
  { id: 'dept-center', name: '政务服务中心', parent: null },
  { id: 'dept-scjg', name: '市场监督管理局', parent: 'dept-center' },
  { id: 'dept-bdc', name: '不动产登记中心', parent: 'dept-center' },
  { id: 'dept-shb', name: '人社局', parent: 'dept-center' },
] as const;

export const ACCOUNTS: Array<{ username: string; role: Role; departmentId?: string }> = [
  { username: 'mgr', role: 'manager' },
  { username: 'mgr2', role: 'manager' },
  { username: 'head-scjg', role: 'dept-head', departmentId: 'dept-scjg' },
  { username: 'head-bdc', role: 'dept-head', departmentId: 'dept-bdc' },
  { username: 'sup', role: 'supervisor' },
  { username: 'aud', role: 'auditor' },
];

export interface Hall {
  gw: Gateway;
  dir: string;
  logLines: string[];
  dev: ScriptedDevice;
  as: Record<string, ConsoleClient>;
  /** The fake clock (ms); `at` moves it and the device's clock with it. */
  clock: { t: number };
  at(iso: string): void;
  feature(): FollowupFeature;
  /** Rate at the device; a 差评 with `phone` also sends its details with the sealed number. Waits until the follow-ups are opened. */
  rate(level: 1 | 2 | 3 | 4 | 5, o?: { phone?: string; itemCode?: string; caseNo?: string; reasons?: number[] }): Promise<RatingRecord>;
  settle(): Promise<void>;
  followupOf(assessId: string): Promise<{ followup_id: string; department_id: string | null } | undefined>;
  stop(): Promise<void>;
}

export async function openHall(o: { startAt: string; followup?: Record<string, unknown>; sections?: Record<string, unknown> }): Promise<Hall> {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-fu-'));
  const clock = { t: Date.parse(o.startAt) };
  const logLines: string[] = [];
  const gw = await startInProcessGateway({
    dir,
    logLines,
    clock: { now: () => clock.t },
    sections: { followup: { everyMs: 3_600_000, ...o.followup }, ...o.sections },
  });
  const now = new Date(clock.t).toISOString();
  await gw.store.db
    .insertInto('departments')
    .values(DEPARTMENTS.map((d) => ({ department_id: d.id, name: d.name, parent_id: d.parent, created_at: now })))
    .execute();
  await gw.registry.upsertWindow({ windowId: 'w-01', number: '01', departmentId: 'dept-scjg' });
  await gw.registry.upsertWindow({ windowId: 'w-02', number: '02', departmentId: 'dept-bdc' });
  const as: Record<string, ConsoleClient> = {};
  for (const a of ACCOUNTS) {
    await gw.auth.createUser(a.username, `${a.username}-password-1`, a.role, { departmentId: a.departmentId ?? null });
    as[a.username] = await stayLoggedIn(gw, a.username, `${a.username}-password-1`);
  }
  const dev = new ScriptedDevice('dev-fu-01', 'w-01', gw.httpUrl);
  dev.clockSkewMs = clock.t - Date.now();
  await dev.enrol((await gw.enrolment.registerDevice('dev-fu-01', 'w-01')).code);
  await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
  const feature = () => gw.features.get('followup') as FollowupFeature;
  const settle = async () => {
    await gw.assessor.catchUp();
    await feature().settle();
  };
  const hall: Hall = {
    gw,
    dir,
    logLines,
    dev,
    as,
    clock,
    at(iso) {
      clock.t = Date.parse(iso);
      dev.clockSkewMs = clock.t - Date.now();
    },
    feature,
    settle,
    async rate(level, r = {}) {
      const rating = dev.rating(level, { ...(r.itemCode ? { itemCode: r.itemCode } : {}), ...(r.caseNo ? { caseNo: r.caseNo } : {}) });
      const records: Array<RatingRecord | DetailRecord> = [rating];
      if (level <= 2 && (r.phone || r.reasons)) {
        const contact = r.phone ? sealContact(r.phone, await contactKeyOf(dev)) : undefined;
        records.push(detailOf(dev, rating, r.reasons ?? [level === 1 ? 115 : 214], contact));
      }
      const ack = await dev.send(records);
      if (ack.rejected?.length) throw new Error(`the gateway refused: ${JSON.stringify(ack.rejected)}`);
      await settle();
      return rating;
    },
    followupOf: (assessId) => gw.store.db.selectFrom('followups').select(['followup_id', 'department_id']).where('assess_id', '=', assessId).executeTakeFirst(),
    async stop() {
      await dev.close();
      await gw.stop();
    },
  };
  return hall;
}

/**
 * A console client that logs in again when its session has run out — the fake clock jumps days,
 * and sessions end after their idle time, as a real user's would.
 */
async function stayLoggedIn(gw: Gateway, username: string, password: string): Promise<ConsoleClient> {
  let client = await loggedIn(gw, username, password);
  const wrapper: ConsoleClient = {
    get token() {
      return client.token;
    },
    async call(method, path, body) {
      const r = await client.call(method, path, body);
      if (r.status !== 401) return r;
      client = await loggedIn(gw, username, password);
      return client.call(method, path, body);
    },
  };
  return wrapper;
}

/** The contact key the gateway sent this device in its config (what a kiosk seals to). */
async function contactKeyOf(dev: ScriptedDevice): Promise<{ keyId: string; publicKeyPem: string }> {
  for (let i = 0; i < 200; i++) {
    const configs = dev.received('config');
    const key = configs[configs.length - 1]?.contactKey;
    if (key) return key;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the device got no contact key in its config');
}

/** A detail record after a 差评, signed into the device's chain, with a sealed number when given. */
function detailOf(dev: ScriptedDevice, rating: RatingRecord, reasons: number[], contact?: SealedContact): DetailRecord {
  const u = {
    kind: 'detail' as const,
    id: uuidv7(),
    deviceId: dev.deviceId,
    seq: dev.head.seq + 1,
    prevHash: dev.head.hash,
    at: dev.now().toISOString(),
    ratingId: rating.id,
    reasons,
    ...(contact ? { contact } : {}),
  };
  const hash = hashRecord(u);
  dev.head = { seq: u.seq, hash };
  return { ...u, hash, sig: signHash(hash, dev.key) } as DetailRecord;
}
