/**
 * Issue 13, "Must show": the SMS drill with every fault. The in-process gateway with the cases,
 * uplink and sms features; the case API used as a business system does; a scripted window
 * device; the SMS simulator speaking Aliyun's protocol with every fault on (answers lost after
 * and before the provider took the send, rate limits, a bad number, duplicate and late delivery
 * receipts); the province simulator; and the gateway clock moved across two days and a night.
 *
 * Checked from outside the outbox: what reached each handset (the simulator's count), when it
 * was sent (never in quiet hours, China time), the case contacts in the store at the end, the
 * rating a reply by SMS made in the ledger and at the province, and the log (no number in it).
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import { isQuiet } from '../../gateway/sms/quiet-hours.js';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import type { SimProtocol } from '../../scripts/sms-sim/sim-protocols.js';
import { SmsSim } from '../../scripts/sms-sim/sim-server.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';
import { TestClock } from '../uplink/support/fixtures.js';

const HOUR = 3600_000;
const T0 = Date.parse('2026-12-01T09:00:00+08:00'); // a Tuesday morning, China time
const TOKEN = 'drill-callback-token-0001';
const SIM_KEY = 'test-shared-key-0123456789';
const QUIET = { start: '21:00', end: '08:00' };

const UNRATED = Array.from({ length: 8 }, (_, i) => ({ caseNo: `SMS-U${i + 1}`, phone: `1390000000${i + 1}` }));
const LATE = { caseNo: 'SMS-Q1', phone: '13900000041' };
const BAD = { caseNo: 'SMS-B1', phone: '19900000001' };
const NO_CONSENT = { caseNo: 'SMS-N1', phone: '13900000011' };
const RATED = { caseNo: 'SMS-R1', phone: '13900000021' };
const WITHDRAWN = { caseNo: 'SMS-W1', phone: '13900000031' };
const ALL = [...UNRATED, LATE, BAD, NO_CONSENT, RATED, WITHDRAWN];
const CREDENTIALS = {
  aliyun: { accessKeyId: 'sim-key-id', accessKeySecret: 'sim-key-secret' },
  tencent: { secretId: 'AKIDsim', secretKey: 'sim-secret-key' },
  mas: { ecName: '模拟政务大厅', apId: 'sim-ap', secretKey: 'sim-mas-secret' },
};
const PROVIDERS = {
  aliyun: (endpoint: string) => ({ kind: 'aliyun', endpoint, ...CREDENTIALS.aliyun, signName: '政务服务', templateCode: 'SMS_100' }),
  tencent: (endpoint: string) => ({ kind: 'tencent', endpoint, ...CREDENTIALS.tencent, smsSdkAppId: '1400000001', signName: '政务服务', templateId: '100' }),
  'cmcc-mas': (endpoint: string) => ({ kind: 'cmcc-mas', endpoint: `${endpoint}sms/norsubmit`, ...CREDENTIALS.mas, sign: 'SIGN01' }),
};
/** What the link looks like in what reached the handset, per protocol. */
const linkIn = (protocol: SimProtocol, text: string) => (protocol === 'aliyun' ? (JSON.parse(text) as { link: string }).link : (/https:\/\/\S+/.exec(text)?.[0] ?? ''));

describe.each(['aliyun', 'tencent', 'cmcc-mas'] as const)('SMS invitations through every fault (%s)', (protocol) => {
  it('one invitation per unrated case, none otherwise, quiet hours kept, numbers deleted, a reply lands at the province', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-sms-drill-'));
    const clock = new TestClock(T0);
    const logLines: string[] = [];
    const province = new ProvinceSim({ key: SIM_KEY, dbFile: join(dir, 'province.db'), port: 0, now: () => clock.t });
    const provinceUrl = await province.start();
    const sim = new SmsSim({
      protocol,
      credentials: CREDENTIALS,
      now: () => clock.t,
      faults: {
        timeoutAfterAcceptEvery: 3,
        timeoutBeforeAcceptEvery: 5,
        hangMs: 700,
        rateLimitEvery: 4,
        badNumberPrefixes: ['1990000'],
        duplicateReceipts: true,
        holdLostReceipts: true,
        receiptDelayMs: 30,
      },
    });
    const smsUrl = await sim.start();
    let gw: Gateway | null = null;
    let dev: ScriptedDevice | null = null;
    try {
      gw = await startInProcessGateway({
        dir,
        clock,
        logLines,
        sections: {
          hall: { hallName: '测试大厅', qrBaseUrl: 'https://hall.example/p' },
          cases: { answerWaitMs: 0 },
          province: { url: `${provinceUrl}/province/ratings`, appId: 'hall-1', key: SIM_KEY, areaCode: '131000', deptCode: 'LF-01' },
          sms: {
            provider: PROVIDERS[protocol](smsUrl),
            callbackToken: TOKEN,
            quietHours: QUIET,
            tickMs: 40,
            requestTimeoutMs: 300,
            querySettleSec: 120,
            retryBaseSec: 60,
          },
        },
      });
      const g = gw;
      sim.receiptUrl = `${g.httpUrl}/api/sms/callbacks/${TOKEN}/receipts`;
      sim.replyUrl = `${g.httpUrl}/api/sms/callbacks/${TOKEN}/replies`;
      const apiKey = await (g.features.get('cases') as CasesFeature).keys.issue('biz-1');
      dev = new ScriptedDevice('dev-s01', 'w-01', g.httpUrl);
      await dev.enrol((await g.enrolment.registerDevice('dev-s01', 'w-01')).code);
      await dev.connect(`mqtt://127.0.0.1:${g.mqttPort}`);

      const post = (path: string, body: unknown) =>
        fetch(`${g.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
      const announce = async (c: { caseNo: string; phone: string }, consent = true) => {
        const r = await post('/api/cases', {
          caseNo: c.caseNo,
          windowNumber: '01',
          itemName: '营业执照',
          applicant: { name: '市民', phone: c.phone, ...(consent ? { smsConsent: true } : {}) },
        });
        expect(r.status, await r.text()).toBe(200);
      };
      const db = g.store.db;
      const settled = () =>
        waitFor(
          async () => {
            const now = new Date(clock.t).toISOString();
            const busy = await db
              .selectFrom('sms_outbox')
              .select('case_no')
              .where((eb) => eb.or([eb('state', '=', 'sending'), eb.and([eb('state', 'in', ['scheduled', 'unknown']), eb('due_at', '<=', now)])]))
              .execute();
            return busy.length === 0;
          },
          { what: 'sms outbox settled', stallMs: 15_000 },
        );
      const moveTo = async (t: number) => {
        for (let step = clock.t; step < t; step = Math.min(t, step + 30 * 60_000)) {
          clock.t = Math.min(t, step + 30 * 60_000);
          await new Promise((r) => setTimeout(r, 60));
          await settled();
        }
      };

      // 09:00: the business system announces cases; the consent field is checked at the door.
      const refused = await post('/api/cases', { caseNo: 'SMS-X', windowNumber: '01', applicant: { smsConsent: true } });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/smsConsent needs applicant.phone/);
      for (const c of [...UNRATED, BAD, RATED, WITHDRAWN]) await announce(c);
      await announce(NO_CONSENT, false);
      // The citizen of R1 rates at the window; W1 was entered by mistake.
      dev.clockSkewMs = clock.t - Date.now();
      await dev.send([dev.rating(4, { caseNo: RATED.caseNo })]);
      await waitFor(async () => (await db.selectFrom('cases').select('state').where('case_no', '=', RATED.caseNo).executeTakeFirstOrThrow()).state === 'rated', {
        what: 'R1 rated',
      });
      expect((await post(`/api/cases/${WITHDRAWN.caseNo}/withdraw`, { reason: '录入错误' })).status).toBe(200);

      // 22:30: one more case, whose SMS would fall due at 22:30 tomorrow, inside quiet hours.
      await moveTo(Date.parse('2026-12-01T22:30:00+08:00'));
      await announce(LATE);
      await moveTo(T0 + 50 * HOUR);
      await sim.releaseLateReceipts();
      await moveTo(T0 + 51 * HOUR);

      const outbox = Object.fromEntries((await db.selectFrom('sms_outbox').select(['case_no', 'state']).execute()).map((r) => [r.case_no, r.state]));
      console.log('sms drill', { simulator: sim.stats, outbox });
      // Every fault happened.
      expect(sim.stats.lostAfterAccept).toBeGreaterThanOrEqual(1);
      expect(sim.stats.lostBeforeAccept).toBeGreaterThanOrEqual(1);
      expect(sim.stats.rateLimited).toBeGreaterThanOrEqual(1);
      expect(sim.stats.badNumber).toBe(protocol === 'cmcc-mas' ? 0 : 1); // 云MAS takes it and fails it in the receipt
      if (protocol === 'cmcc-mas') expect(sim.stats.queries).toBe(0);
      else expect(sim.stats.queries).toBeGreaterThanOrEqual(1);
      // Exactly one invitation per unrated case, counted at the handsets; none for the others. Only
      // Aliyun can say it never took a send: elsewhere a send lost before it was taken is not resent.
      const lostForGood = protocol === 'aliyun' ? new Set<string>() : new Set(sim.lostBeforeAccept);
      for (const c of [...UNRATED, LATE]) expect(sim.delivered(c.phone), c.caseNo).toHaveLength(lostForGood.has(c.phone) ? 0 : 1);
      for (const c of [BAD, NO_CONSENT, RATED, WITHDRAWN]) expect(sim.delivered(c.phone), c.caseNo).toHaveLength(0);
      for (const m of sim.all()) expect(isQuiet(m.acceptedAt, QUIET), new Date(m.acceptedAt).toISOString()).toBe(false);
      expect(
        sim
          .all()
          .filter((m) => m.phone === LATE.phone)
          .every((m) => m.acceptedAt >= Date.parse('2026-12-03T08:00:00+08:00')),
      ).toBe(true);
      for (const c of [...UNRATED, LATE])
        expect(outbox[c.caseNo], c.caseNo).toMatch(lostForGood.has(c.phone) ? /^unconfirmed$/ : protocol === 'aliyun' ? /^delivered$/ : /^(delivered|unconfirmed)$/);
      expect(outbox).toMatchObject({ [BAD.caseNo]: 'failed', [NO_CONSENT.caseNo]: 'skipped', [RATED.caseNo]: 'cancelled', [WITHDRAWN.caseNo]: 'cancelled' });
      // Each link points at the phone page under the hall's public address.
      const reached = UNRATED.find((c) => sim.delivered(c.phone).length === 1)!;
      expect(linkIn(protocol, sim.delivered(reached.phone)[0]!.text)).toMatch(/^https:\/\/hall\.example\/p\/c\/[A-Za-z0-9_-]{22}$/);

      // Replies by SMS: a valid one rates the case once; a second, a word, a stranger are ignored.
      const u1 = reached;
      const u2 = UNRATED.find((c) => c !== u1 && sim.delivered(c.phone).length === 1)!;
      expect(await sim.reply(u1.phone, '５')).toBe(200);
      expect(await sim.reply(u1.phone, '1')).toBe(200);
      expect(await sim.reply(u2.phone, '很满意')).toBe(200);
      expect(await sim.reply('13700000000', '4')).toBe(200);
      const ratings = await db.selectFrom('assessments').select(['case_no', 'channel', 'level', 'assess_number']).where('channel', '=', 'sms').execute();
      expect(ratings).toEqual([{ case_no: u1.caseNo, channel: 'sms', level: 5, assess_number: 1 }]);
      expect((await db.selectFrom('cases').select('state').where('case_no', '=', u1.caseNo).executeTakeFirstOrThrow()).state).toBe('rated');
      await waitFor(() => province.stored().some((s) => s.record.projectNo === u1.caseNo), { what: 'the SMS rating at the province', stallMs: 30_000 });
      const atProvince = province.stored().filter((s) => s.record.projectNo === u1.caseNo);
      expect(atProvince).toHaveLength(1);
      expect(atProvince[0]!.record).toMatchObject({ satisfaction: 5, pf: 6 });

      // The reply window closes; nothing in the store can find a number any more.
      await moveTo(T0 + 51 * HOUR + 73 * HOUR);
      const contacts = await db
        .selectFrom('cases')
        .select(['case_no', 'contact_enc'])
        .where(
          'case_no',
          'in',
          ALL.map((c) => c.caseNo),
        )
        .execute();
      expect(contacts.filter((c) => c.contact_enc !== null)).toEqual([]);
      expect(await db.selectFrom('sms_outbox').select('case_no').where('phone_hash', 'is not', null).execute()).toEqual([]);
      const files = ['gateway.db', 'gateway.db-wal'].map((f) => join(dir, 'data', f)).filter((f) => existsSync(f));
      expect(files.length).toBeGreaterThan(0);
      const bytes = files.map((f) => readFileSync(f).toString('latin1')).join('');
      for (const c of ALL) expect(bytes.includes(c.phone), c.caseNo).toBe(false);
      // The log says what happened without a number.
      const log = logLines.join('\n');
      expect(log).toMatch(/sms reply ignored: it is not a single digit 1-5/);
      expect(log).toMatch(/sms reply ignored: it matches no single valid invitation/);
      for (const c of [...ALL, { phone: '13700000000' }]) expect(log.includes(c.phone)).toBe(false);
    } finally {
      await dev?.close();
      await gw?.stop();
      await sim.stop();
      await province.stop();
    }
  }, 180_000);
});
