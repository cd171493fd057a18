/**
 * The stand of the 差评 follow-up walkthrough: the in-process gateway serving the built console on a
 * fake clock the test moves (the gateway's Clock; the scheduler's own timer kept out of the way, the
 * test ticks it), a hall seeded through the API as hall IT would (税务局 with window 02 and its
 * staff, 市场监管局 with window 01), one account per role — and a head of 市场监管局 to show the
 * scope — and a scripted device at window 02 whose 差评 details carry a call-back number sealed to
 * the key the gateway sent it, as a kiosk does. Sessions live on the same clock (12 h): after a
 * jump of days everyone logs in again (`relogin`), as they would the next morning.
 */
import { existsSync } from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import type { DetailRecord, RatingRecord, SealedContact } from '@hcp/contract';
import { hashRecord, signHash } from '@hcp/contract/chain';
import { sealContact } from '../../../device/store/contact-seal.js';
import type { FollowupFeature } from '../../../gateway/followup/followup-feature.js';
import type { Gateway } from '../../../gateway/gateway.js';
import { CONSOLE_DIST } from '../../../gateway/http/console-static.js';
import { loggedIn, type ConsoleClient } from '../../support/console-client.js';
import { ScriptedDevice } from '../../support/scripted-device.js';
import { startInProcessGateway } from '../../sync/gateway-fixture.js';

export const PEOPLE = {
  it: { username: 'it1', password: 'it-password-0001', role: 'hall-it' },
  manager: { username: 'mgr1', password: 'manager-password-1', role: 'manager' },
  taxHead: { username: 'taxhead', password: 'taxhead-password-1', role: 'dept-head' },
  marketHead: { username: 'mkthead', password: 'mkthead-password-1', role: 'dept-head' },
  supervisor: { username: 'sup1', password: 'supervisor-pass-1', role: 'supervisor' },
} as const;
export type Person = keyof typeof PEOPLE;

export interface FollowupStand {
  gw: Gateway;
  url: string;
  clock: { t: number };
  dev: ScriptedDevice;
  as: Record<Person, ConsoleClient>;
  taxDepartmentId: string;
  /** Move the gateway's clock (and the device's) to an instant. */
  at(iso: string): void;
  /** New sessions for everyone on the current clock. */
  relogin(): Promise<void>;
  /** A rating at window 02 by 李明; a 差评 carries its reasons and, with `phone`, the sealed number. Waits for its follow-up. */
  rate(level: 1 | 2 | 3 | 4 | 5, o?: { phone?: string; reasons?: number[]; comment?: string }): Promise<RatingRecord>;
  followupOf(assessId: string): Promise<string>;
  /** One run of the follow-up clockwork (reminders, escalation) at the current clock. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

function ok(r: { status: number; body: unknown }, what: string): any {
  if (r.status !== 200) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function startFollowupStand(startAt: string): Promise<FollowupStand> {
  if (!existsSync(`${CONSOLE_DIST}/index.html`)) throw new Error(`the console is not built (${CONSOLE_DIST}/index.html): run npm run build:console first`);
  const clock = { t: Date.parse(startAt) };
  const gw = await startInProcessGateway({ clock: { now: () => clock.t }, sections: { followup: { everyMs: 3_600_000 } } });
  const dev = new ScriptedDevice('dev-w02', 'w-02', gw.httpUrl);
  try {
    await gw.auth.createUser(PEOPLE.it.username, PEOPLE.it.password, 'hall-it');
    const it = await loggedIn(gw, PEOPLE.it.username, PEOPLE.it.password);
    const departments = ok(await it.call('GET', '/api/departments'), 'departments') as Array<{ departmentId: string; name: string }>;
    const taxDepartmentId = departments.find((d) => d.name === '税务局')!.departmentId;
    const marketId = departments.find((d) => d.name === '市场监管局')!.departmentId;
    ok(await it.call('PUT', '/api/items', { itemCode: '11131000TX0001', name: '发票领用', departmentId: taxDepartmentId }), 'item');
    ok(
      await it.call('PUT', '/api/staff', { staffId: 's-002', staffNo: 'A002', name: '李明', post: '税务登记', title: '副科长', windowId: 'w-02', badgeUids: ['0A1B2C3D4F'] }),
      'staff',
    );
    for (const p of ['manager', 'taxHead', 'marketHead', 'supervisor'] as const) {
      const u = PEOPLE[p];
      const departmentId = p === 'taxHead' ? taxDepartmentId : p === 'marketHead' ? marketId : null;
      await gw.auth.createUser(u.username, u.password, u.role, { departmentId });
    }
    const as = { it } as Record<Person, ConsoleClient>;
    const relogin = async () => {
      for (const p of Object.keys(PEOPLE) as Person[]) as[p] = await loggedIn(gw, PEOPLE[p].username, PEOPLE[p].password);
    };
    await relogin();

    dev.clockSkewMs = clock.t - Date.now();
    const code = ok(await it.call('POST', '/api/devices', { deviceId: 'dev-w02', windowId: 'w-02' }), 'device').code as string;
    if ((await dev.enrol(code)).status !== 200) throw new Error('dev-w02 did not enrol');
    await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
    const feature = () => gw.features.get('followup') as FollowupFeature;

    return {
      gw,
      url: gw.httpUrl,
      clock,
      dev,
      as,
      taxDepartmentId,
      at(iso) {
        clock.t = Date.parse(iso);
        dev.clockSkewMs = clock.t - Date.now();
      },
      relogin,
      async rate(level, o = {}) {
        const rating = dev.rating(level, { itemCode: '11131000TX0001' }, { staffId: 's-002' });
        const records: Array<RatingRecord | DetailRecord> = [rating];
        if (level <= 2) {
          const contact = o.phone ? sealContact(o.phone, await contactKeyOf(dev)) : undefined;
          records.push(detailOf(dev, rating, o.reasons ?? [115], o.comment, contact));
        }
        const ack = await dev.send(records);
        if (ack.rejected?.length) throw new Error(`the gateway refused: ${JSON.stringify(ack.rejected)}`);
        await gw.assessor.catchUp();
        await feature().settle();
        return rating;
      },
      async followupOf(assessId) {
        const f = await gw.store.db.selectFrom('followups').select('followup_id').where('assess_id', '=', assessId).executeTakeFirstOrThrow();
        return f.followup_id;
      },
      tick: () => feature().scheduler.tick(),
      async stop() {
        await dev.close();
        await gw.stop();
      },
    };
  } catch (err) {
    await dev.close();
    await gw.stop();
    throw err;
  }
}

/** The contact key the gateway sent the device in its config (what a kiosk seals to). */
async function contactKeyOf(dev: ScriptedDevice): Promise<{ keyId: string; publicKeyPem: string }> {
  for (let i = 0; i < 300; i++) {
    const key = dev.received('config').at(-1)?.contactKey;
    if (key) return key;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the device got no contact key in its config');
}

/** A detail record after a 差评, signed into the device's chain, with the sealed number when given. */
function detailOf(dev: ScriptedDevice, rating: RatingRecord, reasons: number[], comment?: string, contact?: SealedContact): DetailRecord {
  const u = {
    kind: 'detail' as const,
    id: uuidv7(),
    deviceId: dev.deviceId,
    seq: dev.head.seq + 1,
    prevHash: dev.head.hash,
    at: dev.now().toISOString(),
    ratingId: rating.id,
    reasons,
    ...(comment ? { comment } : {}),
    ...(contact ? { contact } : {}),
  };
  const hash = hashRecord(u);
  dev.head = { seq: u.seq, hash };
  return { ...u, hash, sig: signHash(hash, dev.key) } as DetailRecord;
}
