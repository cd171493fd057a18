/**
 * The reference province's mapping against golden files (docs/NATIONAL-SPEC.md rule 2), from the
 * device's signed records through the ledger (the real Assessor) and the enqueuer's items to the
 * exact wire records. Issue 10, hole 7: `windowNo` is the window's number — the window's id here is
 * deliberately unlike it — and `pf` follows the channel, by the profile's table.
 * Regenerate after a deliberate change with UPDATE_GOLDEN=1, then review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UplinkEnqueuer } from '../../gateway/uplink/enqueue.js';
import { UplinkItemSchema, type RatingItem, type RectificationItem, type UplinkItem } from '../../gateway/uplink/items.js';
import { ReferenceConfigSchema, type ReferenceProfile } from '../../gateway/uplink/provinces/reference/config.js';
import { mapAmendment, mapCorrection, mapRating, mapRectification } from '../../gateway/uplink/provinces/reference/mapping.js';
import { ReferenceAdapter } from '../../gateway/uplink/provinces/reference/reference-adapter.js';
import { NationalAmendmentSchema, NationalCorrectionSchema, NationalRatingSchema, NationalRectificationSchema } from '../../gateway/uplink/provinces/reference/wire.js';
import { ratingItem } from './province-contract.js';
import { addCase, addWindow, FakeDevice, silent, storeRecords, TestClock } from './support/fixtures.js';
import { UplinkRig } from './support/rig.js';

// A province whose interface document gives paper cards (评议卡) the code 8: the profile says so; we never guess it.
const profile: ReferenceProfile = ReferenceConfigSchema.parse({
  adapter: 'reference',
  url: 'http://127.0.0.1:9/province/ratings',
  appId: 'hall-1',
  key: 'golden-key-0123456789',
  areaCode: '131000',
  deptCode: 'LF-XZSP-01',
  version: '2.0',
  pf: { 'paper-card': 8 },
});
const WINDOW_ID = 'w-east-3';
const WINDOW_NUMBER = '07';
const id = (n: number) => `01936b2e-1c00-7000-8000-${String(n).padStart(12, '0')}`;

function matchGolden(name: string, value: unknown): void {
  const file = join(import.meta.dirname, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  if (!existsSync(file)) throw new Error(`golden file ${name} missing: run with UPDATE_GOLDEN=1 and review it`);
  expect(value).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

function wire(item: UplinkItem): unknown {
  if (item.kind === 'rating') return NationalRatingSchema.parse(mapRating(item, profile));
  if (item.kind === 'correction') return NationalCorrectionSchema.parse(mapCorrection(item, profile));
  if (item.kind === 'rectification') return NationalRectificationSchema.parse(mapRectification(item, profile));
  return NationalAmendmentSchema.parse(mapAmendment(item, profile));
}

describe('reference mapping, from signed records to the wire (golden files)', () => {
  let rig: UplinkRig;
  const items = new Map<string, UplinkItem>();

  beforeAll(async () => {
    rig = await UplinkRig.open(new TestClock(Date.parse('2025-10-13T09:00:00+08:00')));
    await addWindow(rig.store, WINDOW_ID, WINDOW_NUMBER, '行政审批局');
    const dev = new FakeDevice('dev-lf-001', WINDOW_ID, 'staff-0042');
    const at = (iso: string) => new Date(iso);
    const store = (recs: Parameters<typeof storeRecords>[1], iso: string) => storeRecords(rig.store, recs, { storedAt: at(iso) });

    // 非常不满意 with its reasons and comment (and a sealed contact that must not go up).
    const bad = dev.rating(at('2025-10-09T01:02:03Z'), 1, { caseNo: 'LF2025100900017', itemCode: '11131000MB0000001X4000117001', itemName: '个体工商户设立登记', id: id(1) });
    await store([bad, dev.detail(bad, at('2025-10-09T01:02:40Z'), [113, 115], '材料要求前后不一致', id(2))], '2025-10-09T01:02:41Z');
    // 非常满意 on the button panel, no case.
    await store([dev.rating(at('2026-02-14T00:00:00Z'), 5, { channel: 'device-button', id: id(3) })], '2026-02-14T00:00:01Z');
    // A paper card entered at the device.
    await store([dev.rating(at('2026-02-14T01:00:00Z'), 4, { channel: 'paper-card', caseNo: 'LF2026021400002', id: id(4) })], '2026-02-14T01:00:01Z');
    // R7: a case defaulted, then a rating pressed in time arrives (a correction); another case
    // defaulted, then rated after its deadline (a 追加评价).
    for (const caseNo of ['LF2025092600003', 'LF2025092600004']) {
      await addCase(rig.store, {
        caseNo,
        windowId: WINDOW_ID,
        windowNumber: WINDOW_NUMBER,
        deadlineDate: '2025-10-10',
        itemCode: 'X1',
        itemName: '营业执照变更',
        createdAt: '2025-09-26T02:00:00.000Z',
      });
      await rig.giveDefault(caseNo, at('2025-10-10T16:00:01Z'));
    }
    const enqueuer = new UplinkEnqueuer(rig.store, { clock: rig.clock, logger: silent });
    await rig.assess();
    await enqueuer.drain(); // the defaults are queued before the late ratings come
    await rig.store.db.updateTable('uplink_outbox').set({ state: 'sent' }).execute(); // …and went up
    await store([dev.rating(at('2025-10-10T07:00:00Z'), 4, { caseNo: 'LF2025092600003', itemCode: 'X1', id: id(5) })], '2025-10-12T01:00:00Z');
    const late = dev.rating(at('2025-10-12T02:00:00Z'), 2, { caseNo: 'LF2025092600004', itemCode: 'X1', id: id(6) });
    await store([late], '2025-10-12T02:00:01Z');
    await rig.assess();
    rig.clock.advance(91_000); // the 追加评价 is a 差评 held for its details, which never come in time
    await enqueuer.drain();
    await rig.store.db.updateTable('uplink_outbox').set({ state: 'sent' }).execute();
    await store([dev.detail(late, at('2025-10-12T02:09:00Z'), [209], undefined, id(7))], '2025-10-12T02:09:01Z');
    await rig.assess();
    await enqueuer.drain();
    for (const r of await rig.store.db.selectFrom('uplink_outbox').select(['item_key', 'payload']).execute()) items.set(r.item_key, UplinkItemSchema.parse(JSON.parse(r.payload)));
  });
  afterAll(async () => {
    await rig.close();
  });

  const golden = (itemKey: string, file: string) => {
    const item = items.get(itemKey);
    expect(item, itemKey).toBeDefined();
    const out = wire(item!);
    expect(JSON.stringify(out)).not.toMatch(/x25519|MTM5|contact/);
    matchGolden(file, out);
    return out as Record<string, unknown>;
  };

  it('非常不满意 with reasons and comment: satisfaction 1, reasons comma-separated, window number, pf 4, no contact', () => {
    expect(golden(`rating:${id(1)}`, 'rating-with-detail.json')).toMatchObject({ satisfaction: 1, windowNo: WINDOW_NUMBER, pf: 4, evalDetail: '113,115' });
  });

  it('非常满意 on the button panel without a case: satisfaction 5, pf 4', () => {
    expect(golden(`rating:${id(3)}`, 'rating-plain.json')).toMatchObject({ satisfaction: 5, windowNo: WINDOW_NUMBER, pf: 4, projectNo: '' });
  });

  it('a paper card: the channel code the profile gives', () => {
    expect(golden(`rating:${id(4)}`, 'paper-card-rating.json')).toMatchObject({ pf: 8, windowNo: WINDOW_NUMBER });
  });

  it("a system default: 基本满意, pf 7, isDefault 1, the case's window number", () => {
    expect(golden('rating:default-LF2025092600003', 'default-rating.json')).toMatchObject({
      satisfaction: 3,
      pf: 7,
      isDefault: 1,
      windowNo: WINDOW_NUMBER,
      assessTime: '2025-10-11 00:00:00',
    });
  });

  it('a rating pressed in time after the default went up: a correction replacing it, assessNumber 1', () => {
    expect(golden(`rating:${id(5)}`, 'correction.json')).toMatchObject({ replaces: 'default-LF2025092600003', assessNumber: 1, pf: 4, isDefault: 0 });
  });

  it('a rating pressed after the deadline: a 追加评价, assessNumber 2', () => {
    expect(golden(`rating:${id(6)}`, 'follow-up-rating.json')).toMatchObject({ assessNumber: 2, satisfaction: 2, windowNo: WINDOW_NUMBER });
  });

  it('late details of a sent 差评: an amendment', () => {
    expect(golden(`amend:${id(6)}`, 'amendment.json')).toEqual({ assessId: id(6), evalDetail: '209', writingEvaluation: '', version: '2.0' });
  });
});

describe('reference mapping of a 差评 follow-up step (issue 12)', () => {
  const closed: RectificationItem = {
    kind: 'rectification',
    assessId: id(1),
    followupId: 'fu-01936b2e',
    revision: 41,
    step: { kind: 'closed', at: '2025-10-09T07:30:00.000Z', rerating: null },
    caseNo: 'LF2025092600001',
    openedAt: '2025-09-26T02:00:05.000Z',
    state: 'closed',
    finding: 'partly',
    resolution: 'deadline',
    dueDate: '2025-10-10',
    extendedDays: 2,
    escalationLevel: 0,
    rectifiedAt: '2025-10-08T06:00:00.000Z',
    repliedAt: '2025-10-08T08:00:00.000Z',
    calledBackAt: '2025-10-09T03:00:00.000Z',
    rerating: 4,
    reratingDeclined: false,
    rootCause: 'process',
    actionTaken: '调整高峰时段窗口排班',
    closedAt: '2025-10-09T07:30:00.000Z',
    reopenedCount: 0,
    writtenOff: null,
  };

  it('办结 after 部分属实, 限期整改, 反馈 and 回访 (再评价 满意): China times, codes, no contact, no handler', () => {
    const out = wire(closed) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toMatch(/x25519|MTM5|contact|handler/);
    matchGolden('rectification.json', out);
    expect(out).toMatchObject({
      stepType: 'closed',
      stepTime: '2025-10-09 15:30:00',
      isTrue: '2',
      handleType: 2,
      isReply: 1,
      isVisit: 1,
      visitSatisfaction: 4,
      isFinish: 1,
      isValid: 1,
    });
  });

  it('a bad 再评价 at the call-back: the step keeps it; written off: isValid 0', () => {
    const reopened = wire({
      ...closed,
      step: { kind: 'reopened', at: closed.calledBackAt!, rerating: 1 },
      state: 'open',
      calledBackAt: null,
      rectifiedAt: null,
      closedAt: null,
      reopenedCount: 1,
      rerating: 1,
    });
    expect(reopened).toMatchObject({ stepType: 'reopened', stepSatisfaction: 1, isVisit: 0, rectifyTime: '', reopenCount: 1, isFinish: 0 });
    const writtenOff = wire({ ...closed, step: { kind: 'written-off', at: closed.closedAt!, rerating: null }, writtenOff: { kind: 'malicious', approvedAt: closed.closedAt! } });
    expect(writtenOff).toMatchObject({ stepType: 'written-off', isValid: 0, writeOffType: 'malicious' });
  });
});

describe('reference mapping, by table', () => {
  it('satisfaction keeps the provincial direction for every level (5 = 非常满意)', () => {
    for (const level of [1, 2, 3, 4, 5] as const) expect(mapRating(ratingItem({ level }), profile).satisfaction).toBe(level);
  });

  it('pf follows the channel: the seen codes by default, each overridable per province', () => {
    const pfOf = (channel: RatingItem['channel'], p = profile) => mapRating(ratingItem({ channel }), p).pf;
    expect(Object.fromEntries((['device-touch', 'device-button', 'qr-window', 'qr-case', 'sms', 'web', 'default', 'paper-card'] as const).map((c) => [c, pfOf(c)]))).toEqual({
      'device-touch': 4,
      'device-button': 4,
      'qr-window': 3,
      'qr-case': 3,
      sms: 6,
      web: 1,
      default: 7,
      'paper-card': 8,
    });
    const other = ReferenceConfigSchema.parse({
      ...profile,
      adapter: 'reference',
      url: 'http://127.0.0.1:9/r',
      appId: 'a',
      key: 'golden-key-0123456789',
      pf: { sms: 5, default: 6 },
    });
    expect([pfOf('sms', other), pfOf('default', other), pfOf('device-touch', other)]).toEqual([5, 6, 4]);
  });

  it('a paper card in a province whose profile gives it no code is refused with the setting to make, without a request', async () => {
    const adapter = new ReferenceAdapter(
      ReferenceConfigSchema.parse({
        adapter: 'reference',
        url: 'http://127.0.0.1:9/province/ratings',
        appId: 'a',
        key: 'golden-key-0123456789',
        areaCode: '131000',
        deptCode: 'D',
      }),
    );
    const r = ratingItem({ channel: 'paper-card' });
    const answer = await adapter.submitRatings([r]);
    expect(answer).toEqual({ kind: 'answered', outcomes: new Map([[r.assessId, { status: 'rejected', reason: expect.stringMatching(/province\.pf\["paper-card"\]/) }]]) });
  });
});
