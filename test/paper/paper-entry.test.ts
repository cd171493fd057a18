/**
 * Entering filled 评议卡 (RULES.md R6; issue 13 "Must show": entered, one refused as a duplicate
 * serial, one flagged late), through the API of a real in-process gateway with every feature, on a
 * moveable clock, sending to the provincial simulator on loopback. Cards are printed on Monday
 * 2026-11-02 and entered on Tuesday 2026-11-10: a card of 11-03 is 5 working days old (on time), a
 * card of 11-02 is 6 (late).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordChannelRating } from '../../gateway/channels/channel-ratings.js';
import { cardForPhone } from '../../gateway/paper/card-lookup.js';
import { checkCharacter, formatSerial } from '../../gateway/paper/card-serial.js';
import { until } from '../uplink/support/fixtures.js';
import { PAPER_PF, QR_BASE, serialsOf, startPaperHall, type PaperHall } from './support/paper-hall.js';

let hall: PaperHall;
let market: string[];
let tax: string[];

const enter = (who: PaperHall['manager'], body: Record<string, unknown>) => who.call('POST', '/api/paper/entries', body);
const ledger = (serial: string) =>
  hall.gw.store.db
    .selectFrom('assessments')
    .select(['assess_id', 'channel', 'level', 'window_number', 'pressed_at', 'reasons', 'comment', 'flags'])
    .where('assess_id', '=', `card-${serial}`)
    .execute();

beforeAll(async () => {
  hall = await startPaperHall({ at: '2026-11-02T01:00:00Z' });
  const a = await hall.manager.call('POST', '/api/paper/batches', { windowId: 'w-01', count: 8 });
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  expect(a.body).toMatchObject({ windowNumber: '01', department: '市场监管局', count: 8, entered: 0, printedBy: 'mgr1' });
  market = await serialsOf(hall.gw, a.body.batchId);
  const b = await hall.taxHead.call('POST', '/api/paper/batches', { windowId: 'w-02', count: 4 });
  expect(b.status, JSON.stringify(b.body)).toBe(200);
  tax = await serialsOf(hall.gw, b.body.batchId);
  hall.clock.t = Date.parse('2026-11-10T02:00:00Z');
  await hall.relogin();
}, 30_000);
afterAll(async () => hall?.stop());

describe('entering paper cards', () => {
  it('a card typed as printed is stored once in the ledger, channel paper-card, dated noon of the service day; the same serial again is refused', async () => {
    const s = market[0]!;
    const r = await enter(hall.manager, { serial: formatSerial(s).toLowerCase(), serviceDate: '2026-11-03', level: 5, comment: '办事很顺利' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      serial: formatSerial(s),
      assessId: `card-${s}`,
      windowNumber: '01',
      level: 5,
      serviceDate: '2026-11-03',
      ratedAt: '2026-11-03T04:00:00.000Z',
      enteredBy: 'mgr1',
      workingDaysAfter: 5,
      late: false,
      dueDate: '2026-11-10',
    });
    expect(await ledger(s)).toEqual([
      { assess_id: `card-${s}`, channel: 'paper-card', level: 5, window_number: '01', pressed_at: '2026-11-03T04:00:00.000Z', reasons: '[]', comment: '办事很顺利', flags: '[]' },
    ]);

    const again = await enter(hall.manager, { serial: s, serviceDate: '2026-11-03', level: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('already-entered');
    expect(again.body.message).toMatch(new RegExp(`^serial: card ${formatSerial(s)} was entered already, on 2026-11-10T02:00:00.000Z by mgr1`));
    expect(await ledger(s)).toHaveLength(1);
    const audit = await hall.gw.store.db.selectFrom('audit_log').select(['actor', 'action', 'subject', 'detail']).where('action', '=', 'paper-card-entered').execute();
    expect(audit).toEqual([
      { actor: 'mgr1', action: 'paper-card-entered', subject: s, detail: JSON.stringify({ windowId: 'w-01', serviceDate: '2026-11-03', late: false, workingDaysAfter: 5 }) },
    ]);
  });

  it('a card entered 6 working days after its service is stored and flagged late, in the ledger and in the list', async () => {
    const s = market[1]!;
    const r = await enter(hall.manager, { serial: `HCP-CARD:${s}`, serviceDate: '2026-11-02', serviceTime: '15:20', level: 4 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ late: true, workingDaysAfter: 6, dueDate: '2026-11-09', ratedAt: '2026-11-02T07:20:00.000Z' });
    expect((await ledger(s))[0]).toMatchObject({ channel: 'paper-card', flags: '["paper-late-entry"]' });
    const late = await hall.manager.call('GET', '/api/paper/entries?late=true');
    expect(late.status).toBe(200);
    expect(late.body.entryWorkingDays).toBe(5);
    expect(late.body.entries.map((e: { serial: string; late: boolean }) => [e.serial, e.late])).toEqual([[formatSerial(s), true]]);
  });

  it('typos, unknown serials, impossible dates and reasons of another level are refused, naming the field', async () => {
    const s = market[2]!;
    const typo = s.slice(0, 3) + (s[3] === '7' ? '8' : '7') + s.slice(4);
    const bad = await enter(hall.manager, { serial: typo, serviceDate: '2026-11-03', level: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'bad-serial' });
    expect(bad.body.message).toMatch(/^serial: .*check character does not match/);
    const neverPrinted = 'ABCDEFGHJK';
    const unknown = await enter(hall.manager, { serial: neverPrinted + checkCharacter(neverPrinted), serviceDate: '2026-11-03', level: 5 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/^serial: no card ABCD-EFGH-JK. was printed by this hall/);
    const future = await enter(hall.manager, { serial: s, serviceDate: '2026-11-11', level: 5 });
    expect([future.status, future.body.message]).toEqual([400, 'serviceDate: 2026-11-11 is in the future (today is 2026-11-10)']);
    const early = await enter(hall.manager, { serial: s, serviceDate: '2026-11-01', level: 5 });
    expect([early.status, early.body.message]).toEqual([400, `serviceDate: 2026-11-01 is before card ${formatSerial(s)} was printed (2026-11-02)`]);
    const reasons = await enter(hall.manager, { serial: s, serviceDate: '2026-11-03', level: 2, reasons: [113] });
    expect(reasons.status).toBe(400);
    expect(reasons.body.message).toMatch(/^reasons: .*113/);
    const body = await enter(hall.manager, { serial: s, serviceDate: '3.11.2026', level: 7 });
    expect(body.status).toBe(400);
    expect(body.body.message).toMatch(/serviceDate|level/);
    // Nothing of these reached the ledger, and the card can still be entered.
    expect(await ledger(s)).toEqual([]);
    expect((await enter(hall.manager, { serial: s, serviceDate: '2026-11-03', level: 3 })).status).toBe(200);
  });

  it('a card its citizen rated by phone with its QR code is refused on paper: a card counts once', async () => {
    const s = market[3]!;
    // The phone page's check of the card in its address: printed here, for this window, not entered from paper.
    const db = hall.gw.store.db;
    expect(await cardForPhone(db, 'w-01', s.toLowerCase())).toEqual({ ok: true, serial: s, windowId: 'w-01' });
    expect(await cardForPhone(db, 'w-02', s)).toMatchObject({ ok: false, why: 'other-window' });
    expect(await cardForPhone(db, 'w-01', market[0]!)).toMatchObject({ ok: false, why: 'entered' });
    expect(await cardForPhone(db, 'w-01', `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}`)).toMatchObject({ ok: false, why: 'not-a-serial' });
    // What the phone page does with the card's code (assessId card-<serial>), through the core's channel ratings.
    await hall.gw.store.write((trx) =>
      recordChannelRating(
        trx,
        { assessId: `card-${s}`, channel: 'qr-window', windowId: 'w-01', level: 5, ratedAt: '2026-11-09T03:00:00Z', catalogueVersion: '2020.1' },
        '2026-11-09T03:00:00Z',
      ),
    );
    const looked = await hall.manager.call('GET', `/api/paper/cards/${encodeURIComponent(`${QR_BASE}/w/w-01?card=${s}`)}`);
    expect(looked.body).toMatchObject({ state: 'rated-by-phone', windowNumber: '01' });
    const r = await enter(hall.manager, { serial: `${QR_BASE}/w/w-01?card=${s}`, serviceDate: '2026-11-09', level: 1 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'already-rated' });
    expect(r.body.message).toMatch(/rated by phone .*a card counts once/);
    expect((await ledger(s)).map((a) => a.channel)).toEqual(['qr-window']);
  });

  it('a department head enters and prints only for their own departments’ windows (403 otherwise) and lists only those', async () => {
    const other = await enter(hall.taxHead, { serial: market[4]!, serviceDate: '2026-11-04', level: 2 });
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/window 01 of 市场监管局, outside your department/);
    expect((await hall.taxHead.call('POST', '/api/paper/batches', { windowId: 'w-01', count: 4 })).status).toBe(403);
    expect((await hall.taxHead.call('GET', `/api/paper/cards/${market[4]}`)).status).toBe(403);
    expect(await ledger(market[4]!)).toEqual([]);
    const own = await enter(hall.taxHead, { serial: tax[0]!, serviceDate: '2026-11-09', level: 4 });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const listed = await hall.taxHead.call('GET', '/api/paper/entries');
    expect(listed.body.entries.map((e: { windowNumber: string }) => e.windowNumber)).toEqual(['02']);
    const batches = await hall.taxHead.call('GET', '/api/paper/batches');
    expect(batches.body.batches.map((b: { windowNumber: string; entered: number }) => [b.windowNumber, b.entered])).toEqual([['02', 1]]);
  });

  it('a 差评 card opens a follow-up, and every entered card reaches the province with its paper-card code', async () => {
    const s = market[5]!;
    const r = await enter(hall.manager, { serial: s, serviceDate: '2026-11-06', level: 1, reasons: [113, 115], comment: '跑了好几趟' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    let followup: { assessId: string; channel: string; level: number; windowNumber: string | null } | undefined;
    await until(
      async () => {
        const list = await hall.manager.call('GET', '/api/followups');
        followup = list.body.followups?.find((f: { assessId: string }) => f.assessId === `card-${s}`);
        return followup !== undefined;
      },
      10_000,
      'the follow-up of the 差评 card',
    );
    expect(followup).toMatchObject({ channel: 'paper-card', level: 1, windowNumber: '01' });

    const entered = [market[0], market[1], market[2], tax[0], s].map((x) => `card-${x}`);
    await until(() => entered.every((id) => hall.sim.stored().some((x) => x.assessId === id)), 20_000, 'the entered cards at the province');
    const atProvince = hall.sim.stored().filter((x) => x.assessId.startsWith('card-'));
    // Each once; the card rated by phone went as the phone's rating (channel 3), not as paper.
    expect(atProvince.filter((x) => entered.includes(x.assessId))).toHaveLength(entered.length);
    for (const x of atProvince.filter((y) => entered.includes(y.assessId))) expect(x.record.pf).toBe(PAPER_PF);
    expect(atProvince.find((x) => x.assessId === `card-${s}`)?.record).toMatchObject({
      windowNo: '01',
      evalDetail: '113,115',
      writingEvaluation: '跑了好几趟',
      assessTime: '2026-11-06 12:00:00',
    });
  }, 40_000);

  it('lateness counts the hall calendar’s working days: after National Day, a card of 09-30 entered on 10-12 is on time (4 working days, 10-10 a make-up day)', async () => {
    hall.clock.t = Date.parse('2026-09-29T01:00:00Z');
    await hall.relogin();
    const b = await hall.manager.call('POST', '/api/paper/batches', { windowId: 'w-01', count: 4 });
    const [s] = await serialsOf(hall.gw, b.body.batchId);
    hall.clock.t = Date.parse('2026-10-12T02:00:00Z');
    await hall.relogin();
    const r = await enter(hall.manager, { serial: s!, serviceDate: '2026-09-30', level: 4 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Counting weekdays alone would say 8, and late.
    expect(r.body).toMatchObject({ workingDaysAfter: 4, late: false, dueDate: '2026-10-13' });
    expect((await ledger(s!))[0]?.flags).toBe('[]');
  });
});
