/**
 * The SMS outbox's state machine (gateway/sms/outbox.ts, outbox-resolve.ts) over a real SQLite
 * store with every migration, the real contact cipher and audit log, and a scripted provider
 * (the adapters are tested against the wire in sms-adapters.test.ts, and everything together in
 * sms-drill.test.ts). Each test reads what the provider was asked and what the store keeps.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../gateway/audit/audit-log.js';
import { ContactCipher } from '../../gateway/cases/contact-crypto.js';
import { CASES_MIGRATIONS } from '../../gateway/cases/cases-schema.js';
import { TypedEventBus } from '../../gateway/events/event-bus.js';
import type { FeatureContext, GatewayEvents } from '../../gateway/feature.js';
import { CORE_PART_MIGRATIONS } from '../../gateway/migrations.js';
import type { QueryOutcome, SendOutcome, SmsMessage, SmsNotifier, SmsReceipt } from '../../gateway/sms/notifier.js';
import { SmsConfigSchema } from '../../gateway/sms/sms-config.js';
import { casesContactKey } from '../../gateway/cases/contact-crypto.js';
import { SmsFeature } from '../../gateway/sms/sms-feature.js';
import { SMS_MIGRATIONS } from '../../gateway/sms/sms-schema.js';
import { openSqliteStore, type GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { addCase, addWindow, silent, TestClock, until } from '../uplink/support/fixtures.js';

/** A provider that answers from a script and records every send. */
class ScriptedProvider implements SmsNotifier {
  readonly provider = 'aliyun' as const;
  canQuery = true;
  notFoundProvesAbsence = true;
  sends: SmsMessage[] = [];
  queries = 0;
  sendScript: SendOutcome[] = [];
  queryScript: QueryOutcome[] = [];
  async send(m: SmsMessage): Promise<SendOutcome> {
    this.sends.push(m);
    return this.sendScript.shift() ?? { kind: 'accepted', providerId: `biz-${this.sends.length}` };
  }
  async query(): Promise<QueryOutcome> {
    this.queries++;
    return this.queryScript.shift() ?? { kind: 'not-found' };
  }
  receipts(body: unknown): SmsReceipt[] {
    return body as SmsReceipt[];
  }
  replies() {
    return [];
  }
  ack() {
    return {};
  }
}

const HOUR = 3600_000;
// Tuesday 2026-12-01 10:00 China time.
const T0 = Date.parse('2026-12-01T10:00:00+08:00');
let store: GatewayStore;
let clock: TestClock;
let provider: ScriptedProvider;
let sms: SmsFeature;
let dir: string;

const config = (o: Record<string, unknown> = {}) =>
  SmsConfigSchema.parse({
    provider: { kind: 'aliyun', accessKeyId: 'k', accessKeySecret: 's', signName: 'x', templateCode: 'SMS_1' },
    callbackToken: 'callback-token-0123456789',
    querySettleSec: 120,
    retryBaseSec: 60,
    ...o,
  });

function feature(o: Record<string, unknown> = {}, p = provider, logger: Logger = silent): SmsFeature {
  const ctx = {
    store,
    clock,
    audit: new AuditLog(store, clock),
    events: new TypedEventBus<GatewayEvents>(silent),
    logger,
    dataDir: dir,
    hall: { hallName: '测试大厅', catalogueVersion: '2020.1', invitationTimeoutSec: 60, goodLevels: [4, 5], qrBaseUrl: 'https://hall.example/p' },
  } as unknown as FeatureContext;
  return new SmsFeature(ctx, config(o), p);
}

async function addContactCase(caseNo: string, applicant: Record<string, unknown> | null, createdAt = T0): Promise<void> {
  await addCase(store, { caseNo, windowId: 'win-a', windowNumber: 'A07', deadlineDate: '2026-12-08', createdAt: new Date(createdAt).toISOString() });
  if (applicant) {
    const sealed = new ContactCipher(casesContactKey(dir)).seal(applicant, caseNo);
    await store.db.updateTable('cases').set({ contact_enc: sealed }).where('case_no', '=', caseNo).execute();
  }
}
const row = (caseNo: string) => store.db.selectFrom('sms_outbox').selectAll().where('case_no', '=', caseNo).executeTakeFirstOrThrow();
const contact = async (caseNo: string) => (await store.db.selectFrom('cases').select('contact_enc').where('case_no', '=', caseNo).executeTakeFirstOrThrow()).contact_enc;
const at = async (t: number) => {
  clock.t = t;
  await sms.tick();
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hcp-sms-'));
  store = openSqliteStore({ file: join(dir, 'gateway.db') });
  await migrateStore(store, [...CORE_PART_MIGRATIONS, ...CASES_MIGRATIONS, ...SMS_MIGRATIONS]);
  await addWindow(store, 'win-a', 'A07');
  clock = new TestClock(T0);
  provider = new ScriptedProvider();
  sms = feature();
});
afterEach(async () => store.close());

describe('sms outbox', () => {
  it('sends once after the delay, with a link under qrBaseUrl; delivered by receipt, duplicate receipts change nothing; the number is deleted', async () => {
    await addContactCase('C-1', { phone: '138 0013 8000', smsConsent: true });
    await at(T0 + 23 * HOUR);
    expect(provider.sends).toHaveLength(0);
    expect((await row('C-1')).state).toBe('scheduled');
    await at(T0 + 24 * HOUR);
    expect(provider.sends).toHaveLength(1);
    expect(provider.sends[0]).toMatchObject({ phone: '13800138000', hall: '测试大厅' });
    expect(provider.sends[0]!.link).toMatch(/^https:\/\/hall\.example\/p\/c\/[A-Za-z0-9_-]{22}$/);
    expect(await row('C-1')).toMatchObject({ state: 'accepted', provider_id: 'biz-1', attempts: 1 });
    expect(await contact('C-1')).toBeNull();
    const r = await row('C-1');
    const receipt: SmsReceipt = { providerId: 'biz-1', outId: r.out_id, phone: null, delivered: true, code: 'DELIVERED' };
    expect(await sms.resolver.applyReceipts([receipt])).toBe(1);
    expect(await sms.resolver.applyReceipts([receipt, { ...receipt, delivered: false, code: 'LATE-FAIL' }])).toBe(0);
    expect(await row('C-1')).toMatchObject({ state: 'delivered', reason: 'DELIVERED' });
    await at(T0 + 30 * HOUR);
    expect(provider.sends).toHaveLength(1);
    const audit = await store.db.selectFrom('audit_log').select(['actor', 'action', 'subject', 'detail']).execute();
    expect(audit).toEqual([{ actor: 'system', action: 'sms.contact-opened', subject: 'C-1', detail: '{"purpose":"send"}' }]);
  });

  it('quiet hours (China time): a case announced at 22:30 is invited at 08:00, not at 22:30 the next day', async () => {
    const late = Date.parse('2026-12-01T22:30:00+08:00');
    await addContactCase('C-Q', { phone: '13800138001', smsConsent: true }, late);
    await at(late + 24 * HOUR);
    expect(provider.sends).toHaveLength(0);
    expect((await row('C-Q')).due_at).toBe(new Date('2026-12-03T08:00:00+08:00').toISOString());
    await at(Date.parse('2026-12-03T07:59:00+08:00'));
    expect(provider.sends).toHaveLength(0);
    await at(Date.parse('2026-12-03T08:00:00+08:00'));
    expect(provider.sends).toHaveLength(1);
  });

  it('an answer lost after the provider took it: never resent; the provider is asked after the settle time and says it has it', async () => {
    await addContactCase('C-2', { phone: '13800138002', smsConsent: true });
    provider.sendScript = [{ kind: 'unknown', code: 'timeout' }];
    provider.queryScript = [{ kind: 'found', providerId: null, status: 'pending', code: '' }];
    await at(T0 + 24 * HOUR);
    expect(await row('C-2')).toMatchObject({ state: 'unknown', attempts: 1 });
    expect(await contact('C-2')).not.toBeNull(); // kept: the question to the provider needs the number
    await at(T0 + 24 * HOUR + 60_000);
    expect(provider.queries).toBe(0);
    await at(T0 + 24 * HOUR + 120_000);
    expect(provider.queries).toBe(1);
    expect(await row('C-2')).toMatchObject({ state: 'accepted' });
    expect(await contact('C-2')).toBeNull();
    await at(T0 + 30 * HOUR);
    expect(provider.sends).toHaveLength(1);
  });

  it('an answer lost before the provider took it: resent only after the provider says it never had it', async () => {
    await addContactCase('C-3', { phone: '13800138003', smsConsent: true });
    provider.sendScript = [{ kind: 'unknown', code: 'timeout' }];
    provider.queryScript = [{ kind: 'error', code: 'timeout' }, { kind: 'not-found' }];
    await at(T0 + 24 * HOUR);
    await at(T0 + 24 * HOUR + 120_000); // the question itself is lost: ask again later
    expect(await row('C-3')).toMatchObject({ state: 'unknown' });
    expect(provider.sends).toHaveLength(1);
    await at(T0 + 24 * HOUR + 240_000);
    expect(provider.queries).toBe(2);
    await at(T0 + 24 * HOUR + 240_000); // scheduled again, sent now
    expect(provider.sends).toHaveLength(2);
    expect(provider.sends[1]!.outId).toBe(provider.sends[0]!.outId);
    expect(await row('C-3')).toMatchObject({ state: 'accepted', attempts: 2 });
  });

  it('a provider whose "not found" proves nothing (Tencent lists only reported sends): no resend, unconfirmed after the give-up time', async () => {
    provider.notFoundProvesAbsence = false;
    await addContactCase('C-T', { phone: '13800138012', smsConsent: true });
    provider.sendScript = [{ kind: 'unknown', code: 'timeout' }];
    await at(T0 + 24 * HOUR);
    for (let h = 1; h <= 24; h++) await at(T0 + (24 + h) * HOUR);
    expect(provider.sends).toHaveLength(1);
    expect(provider.queries).toBeGreaterThanOrEqual(1);
    expect(provider.queries).toBeLessThanOrEqual(5);
    expect(await row('C-T')).toMatchObject({ state: 'unconfirmed', attempts: 1 });
    expect(await contact('C-T')).toBeNull();
  });

  it('rate limited: retried with backoff; a bad number fails for good and is deleted', async () => {
    await addContactCase('C-4', { phone: '13800138004', smsConsent: true });
    await addContactCase('C-5', { phone: '13800138005', smsConsent: true });
    provider.sendScript = [
      { kind: 'rate-limited', code: 'isv.BUSINESS_LIMIT_CONTROL' },
      { kind: 'bad-number', code: 'isv.MOBILE_NUMBER_ILLEGAL' },
    ];
    await at(T0 + 24 * HOUR);
    expect(await row('C-4')).toMatchObject({ state: 'scheduled', reason: 'isv.BUSINESS_LIMIT_CONTROL', due_at: new Date(T0 + 24 * HOUR + 60_000).toISOString() });
    expect(await row('C-5')).toMatchObject({ state: 'failed', reason: 'isv.MOBILE_NUMBER_ILLEGAL', phone_hash: null });
    expect(await contact('C-5')).toBeNull();
    await at(T0 + 24 * HOUR + 60_000);
    expect(await row('C-4')).toMatchObject({ state: 'accepted', attempts: 2 });
    expect(provider.sends.map((s) => s.phone)).toEqual(['13800138004', '13800138005', '13800138004']);
  });

  it('no consent, rated or withdrawn before the SMS: nothing sent, the number deleted', async () => {
    await addContactCase('C-6', { phone: '13800138006' });
    await addContactCase('C-7', { phone: '13800138007', smsConsent: true });
    await addContactCase('C-8', { phone: '13800138008', smsConsent: true });
    await addContactCase('C-9', null);
    await at(T0 + HOUR);
    await store.db.updateTable('cases').set({ state: 'rated' }).where('case_no', '=', 'C-7').execute();
    await store.db.updateTable('cases').set({ state: 'withdrawn' }).where('case_no', '=', 'C-8').execute();
    await at(T0 + 2 * HOUR);
    expect((await row('C-7')).state).toBe('cancelled');
    expect((await row('C-8')).state).toBe('cancelled');
    await at(T0 + 24 * HOUR);
    expect(provider.sends).toHaveLength(0);
    expect((await row('C-6')).state).toBe('skipped');
    for (const c of ['C-6', 'C-7', 'C-8']) expect(await contact(c)).toBeNull();
    expect(await store.db.selectFrom('sms_outbox').select('case_no').where('case_no', '=', 'C-9').execute()).toEqual([]);
  });

  it('two workers on one database send each case once', async () => {
    for (let i = 0; i < 12; i++) await addContactCase(`W-${i}`, { phone: `1380013810${String(i).padStart(1, '0')}`.slice(0, 11), smsConsent: true });
    const other = new ScriptedProvider();
    const second = feature({}, other);
    clock.t = T0 + 24 * HOUR;
    await Promise.all([sms.tick(), second.tick(), sms.tick(), second.tick()]);
    expect(provider.sends.length + other.sends.length).toBe(12);
    expect(new Set([...provider.sends, ...other.sends].map((s) => s.outId)).size).toBe(12);
  });

  it('a provider that cannot be asked (云MAS): a lost answer is never resent; a late receipt still settles it', async () => {
    provider.canQuery = false;
    await addContactCase('C-M', { phone: '13800138010', smsConsent: true });
    await addContactCase('C-N', { phone: '13800138011', smsConsent: true });
    provider.sendScript = [
      { kind: 'unknown', code: 'timeout' },
      { kind: 'unknown', code: 'timeout' },
    ];
    await at(T0 + 24 * HOUR);
    await sms.resolver.applyReceipts([{ providerId: 'mas-g', outId: null, phone: '13800138010', delivered: true, code: 'DELIVRD' }]);
    expect(await row('C-M')).toMatchObject({ state: 'delivered', provider_id: 'mas-g' });
    await at(T0 + 49 * HOUR);
    expect(await row('C-N')).toMatchObject({ state: 'unconfirmed' });
    expect(await contact('C-N')).toBeNull();
    expect(provider.sends).toHaveLength(2);
    expect(provider.queries).toBe(0);
  });

  it('passes that fail while the store cannot be read make one log line, and one more when they work again', async () => {
    const lines: string[] = [];
    const logged = (msg: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);
    const running = feature({ tickMs: 20 }, provider, pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }));
    await running.start();
    try {
      // Every pass's first read fails while the outbox's table is away, as on a database gone.
      await store.db.schema.alterTable('sms_outbox').renameTo('sms_outbox_away').execute();
      await new Promise((r) => setTimeout(r, 300));
      await store.db.schema.alterTable('sms_outbox_away').renameTo('sms_outbox').execute();
      await until(() => logged('sms outbox passes work again').length > 0, 5_000, 'the passes back');
    } finally {
      await running.stop();
    }
    const failed = logged('sms outbox pass failed; the next pass tries again');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 50, failed: 1, err: expect.stringContaining('sms_outbox') });
    // Each pass of the 300 ms failed (one every 20 ms); the end's line counts those after the first.
    expect(logged('sms outbox passes work again')[0]!.failed).toBeGreaterThanOrEqual(5);
  });
});
