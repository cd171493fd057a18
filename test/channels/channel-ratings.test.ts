/**
 * Ratings from the phone, SMS and paper channels go into the same ledger as the devices', once,
 * and a case is rated once whichever channel comes first (gateway/channels/channel-ratings.ts).
 * Real SQLite store with every core migration; the device's side runs through the real Assessor.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CASES_MIGRATIONS } from '../../gateway/cases/cases-schema.js';
import { issueCaseLink, resolveCaseLink } from '../../gateway/channels/case-links.js';
import { recordChannelRating, type ChannelRating } from '../../gateway/channels/channel-ratings.js';
import { CORE_PART_MIGRATIONS } from '../../gateway/migrations.js';
import { Assessor } from '../../gateway/ratings/assessor.js';
import { openSqliteStore, type GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { testDatabaseUrl, testStoreIsPostgres } from '../support/pg-cluster.js';
import { addCase, addWindow, FakeDevice, giveCaseDefault, silent, storeRecords, TestClock } from '../uplink/support/fixtures.js';

let store: GatewayStore;
const clock = new TestClock(Date.parse('2026-12-01T02:00:00Z'));
const now = () => new Date(clock.now()).toISOString();

beforeEach(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'hcp-channels-')), 'gateway.db');
  // With HCP_TEST_STORE=postgres (test/pg/vitest.config.ts), a PostgreSQL database of its own.
  store = testStoreIsPostgres() ? await openPostgresStore({ connectionString: await testDatabaseUrl(file) }) : openSqliteStore({ file });
  await migrateStore(store, [...CORE_PART_MIGRATIONS, ...CASES_MIGRATIONS]);
  await addWindow(store, 'win-a', 'A07');
  await addCase(store, { caseNo: 'C-1', windowId: 'win-a', windowNumber: 'A07', deadlineDate: '2026-12-08', itemCode: 'X1', itemName: '营业执照' });
});
afterEach(async () => store.close());

const phone = (o: Partial<ChannelRating> = {}): ChannelRating => ({
  assessId: `phone-${Math.random().toString(36).slice(2)}`,
  channel: 'qr-case',
  caseNo: 'C-1',
  level: 5,
  ratedAt: now(),
  catalogueVersion: '2020.1',
  ...o,
});
const rate = (r: ChannelRating) => store.write((trx) => recordChannelRating(trx, r, now()));
const row = (id: string) => store.db.selectFrom('assessments').selectAll().where('assess_id', '=', id).executeTakeFirst();

describe('channel ratings', () => {
  it('a per-window rating is stored under its channel and window number, once', async () => {
    const r = phone({ channel: 'qr-window', caseNo: undefined, windowId: 'win-a', level: 1, reasons: [108], comment: '跑了好几趟' });
    expect(await rate(r)).toMatchObject({ stored: true, assessNumber: 1, windowId: 'win-a' });
    expect(await rate(r)).toMatchObject({ stored: false, why: 'duplicate' });
    const a = await row(r.assessId);
    expect(a).toMatchObject({
      source: 'channel',
      channel: 'qr-window',
      window_number: 'A07',
      department: '市场监管局',
      level: 1,
      reasons: '[108]',
      comment: '跑了好几趟',
      case_no: null,
    });
    expect(a?.details_at).not.toBeNull();
    const log = await store.db.selectFrom('assessment_log').select(['assess_id', 'change']).execute();
    expect(log).toEqual([{ assess_id: r.assessId, change: 'created' }]);
  });

  it('the phone rates a case first: a second phone rating is refused, and the device rating arriving later is a 追加评价, not a second first rating', async () => {
    const first = phone();
    expect(await rate(first)).toMatchObject({ stored: true, assessNumber: 1, caseNo: 'C-1' });
    expect(await store.db.selectFrom('cases').select(['state', 'first_assess_id']).executeTakeFirst()).toEqual({ state: 'rated', first_assess_id: first.assessId });
    expect(await rate(phone())).toMatchObject({ stored: false, why: 'already-rated' });
    const item = await row(first.assessId);
    expect(item).toMatchObject({ item_code: 'X1', item_name: '营业执照', window_id: 'win-a' });

    const device = new FakeDevice('dev-1', 'win-a');
    await storeRecords(store, [device.rating(new Date(clock.now() + 1000), 4, { caseNo: 'C-1' })]);
    await new Assessor(store, clock, silent, () => {}).catchUp();
    const numbers = await store.db.selectFrom('assessments').select(['channel', 'assess_number']).where('case_no', '=', 'C-1').orderBy('seq').execute();
    expect(numbers).toEqual([
      { channel: 'qr-case', assess_number: 1 },
      { channel: 'device-touch', assess_number: 2 },
    ]);
  });

  it('the device rates a case first: the phone is told it is rated already', async () => {
    const device = new FakeDevice('dev-1', 'win-a');
    await storeRecords(store, [device.rating(new Date(clock.now()), 2, { caseNo: 'C-1' })]);
    await new Assessor(store, clock, silent, () => {}).catchUp();
    expect(await rate(phone({ channel: 'sms' }))).toMatchObject({ stored: false, why: 'already-rated' });
    expect(await store.db.selectFrom('assessments').select('channel').execute()).toEqual([{ channel: 'device-touch' }]);
  });

  it('a defaulted case takes the citizen rating as a 追加评价; a withdrawn or unknown case is refused; bad reasons are named', async () => {
    await giveCaseDefault(store, 'C-1', new Date('2026-12-09T01:00:00Z'));
    expect(await rate(phone({ channel: 'sms', level: 2, reasons: [207] }))).toMatchObject({ stored: true, assessNumber: 2 });
    await addCase(store, { caseNo: 'C-2', windowId: 'win-a', windowNumber: 'A07', deadlineDate: '2026-12-08' });
    await store.db.updateTable('cases').set({ state: 'withdrawn' }).where('case_no', '=', 'C-2').execute();
    expect(await rate(phone({ caseNo: 'C-2' }))).toMatchObject({ stored: false, why: 'case-closed' });
    expect(await rate(phone({ caseNo: 'C-404' }))).toMatchObject({ stored: false, why: 'unknown-case' });
    expect(await rate(phone({ caseNo: undefined, windowId: 'win-zz', channel: 'qr-window' }))).toMatchObject({ stored: false, why: 'unknown-window' });
    const bad = await rate(phone({ level: 5, reasons: [207] }));
    expect(bad).toMatchObject({ stored: false, why: 'bad-reasons' });
    expect(bad.stored ? '' : bad.message).toMatch(/207/);
  });

  it('a case link opens its case until it expires; a made-up token opens nothing', async () => {
    const expires = new Date(clock.now() + 3600_000).toISOString();
    const token = await store.write((trx) => issueCaseLink(trx, 'C-1', 'sms', expires, now()));
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await store.write((trx) => resolveCaseLink(trx, token, now()))).toMatchObject({ ok: true, link: { case_no: 'C-1', channel: 'sms' } });
    expect(await store.write((trx) => resolveCaseLink(trx, token, expires))).toEqual({ ok: false, why: 'expired' });
    expect(await store.write((trx) => resolveCaseLink(trx, 'A'.repeat(22), now()))).toEqual({ ok: false, why: 'unknown' });
    // Only the hash is kept.
    expect(JSON.stringify(await store.db.selectFrom('case_links').selectAll().execute())).not.toContain(token);
  });
});
