/**
 * Cases from business systems (R9) and the R7 default, at the gateway: the case API validates and
 * keeps the applicant's contact sealed; an unrated case gets 基本满意 exactly when its 5 working days
 * are over (across National Day 2025); and a rating that comes late is numbered by when it was
 * pressed (issue 10, hole 2): pressed in time, it replaces the default; pressed after, it is a
 * 追加评价 beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
let key = '';
let clock = Date.parse('2025-09-26T10:00:00+08:00'); // a Friday before National Day
const cases = () => gw.features.get('cases') as CasesFeature;
let dev: ScriptedDevice;

beforeAll(async () => {
  gw = await startInProcessGateway({ clock: { now: () => clock }, sections: { cases: { answerWaitMs: 0 } } });
  key = await cases().keys.issue('qlzx-ywxt');
  dev = new ScriptedDevice('dev-c01', 'w-01', gw.httpUrl);
  await dev.enrol((await gw.enrolment.registerDevice('dev-c01', 'w-01')).code);
  await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
});
afterAll(async () => {
  await dev?.close();
  await gw?.stop();
});

const post = (path: string, body: unknown, apiKey = key) =>
  fetch(`${gw.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
const assessment = (caseNo: string) =>
  gw.store.db
    .selectFrom('assessments')
    .select(['assess_id', 'assess_number', 'level', 'is_default', 'replaces', 'superseded_by', 'pressed_at'])
    .where('case_no', '=', caseNo)
    .orderBy('seq')
    .execute();
const state = async (caseNo: string) => (await gw.store.db.selectFrom('cases').select('state').where('case_no', '=', caseNo).executeTakeFirstOrThrow()).state;

describe('cases and the R7 default', () => {
  it('validates, names what is wrong, and keeps the applicant sealed', async () => {
    expect((await post('/api/cases', { caseNo: 'X', windowNumber: '01' }, 'qlzx-ywxt.wrong')).status).toBe(401);
    const bad = await post('/api/cases', { caseNo: '', windowNumber: '01' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/caseNo/);
    const unknown = await post('/api/cases', { caseNo: 'X', windowNumber: '99' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/window 99/);
    const ok = await post('/api/cases', { caseNo: 'LF-1', windowNumber: '01', applicant: { name: '张三', phone: '13900000000' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).not.toMatch(/张三|13900000000/);
    const row = await gw.store.db.selectFrom('cases').select('contact_enc').where('case_no', '=', 'LF-1').executeTakeFirstOrThrow();
    expect(row.contact_enc).not.toMatch(/13900000000/);
  });

  it('defaults exactly when 5 working days have passed, and numbers late ratings by when they were pressed', async () => {
    // Invited Fri 2025-09-26. Working days after it: Sun 28 (make-up), Mon 29, Tue 30, then
    // Oct 1-8 off, Thu Oct 9, Fri Oct 10 → the deadline day is Oct 10.
    for (const caseNo of ['D-1', 'D-2', 'D-3', 'D-4']) expect((await post('/api/cases', { caseNo, windowNumber: '01', itemCode: 'I-9', itemName: '变更登记' })).status).toBe(200);
    expect((await gw.store.db.selectFrom('cases').select('deadline_date').where('case_no', '=', 'D-1').executeTakeFirstOrThrow()).deadline_date).toBe('2025-10-10');

    // D-2 is rated on Oct 10, just in time.
    clock = Date.parse('2025-10-10T15:00:00+08:00');
    dev.clockSkewMs = clock - Date.now();
    await dev.send([dev.rating(5, { caseNo: 'D-2' })]);
    // D-3 is pressed on Oct 10 too, on a device that stays offline until after the default.
    const d3 = dev.rating(4, { caseNo: 'D-3' });

    for (const t of ['2025-10-01T12:00:00+08:00', '2025-10-08T23:59:00+08:00', '2025-10-10T23:59:59+08:00']) {
      clock = Date.parse(t);
      expect(await cases().scheduler.tick(), t).toBe(0);
    }
    clock = Date.parse('2025-10-11T00:00:01+08:00'); // a Saturday, but the deadline day is over
    expect(await cases().scheduler.tick()).toBe(4); // D-1, D-3, D-4, and LF-1 of the test above
    expect(await cases().scheduler.tick()).toBe(0);
    expect(await state('D-1')).toBe('defaulted');
    expect(await state('D-2')).toBe('rated');
    expect(await assessment('D-1')).toEqual([
      expect.objectContaining({ assess_id: 'default-D-1', assess_number: 1, level: 3, is_default: 1, pressed_at: '2025-10-10T16:00:00.000Z' }),
    ]);

    // D-3's rating arrives now: pressed before the deadline, it replaces the default.
    dev.clockSkewMs = Date.parse('2025-10-13T09:00:00+08:00') - Date.now();
    clock = Date.parse('2025-10-13T09:00:00+08:00');
    await dev.send([d3]);
    // D-4 is rated on Monday, after its deadline: a 追加评价 beside the default.
    await dev.send([dev.rating(2, { caseNo: 'D-4' })]);
    await gw.assessor.catchUp();
    expect(await assessment('D-3')).toEqual([
      expect.objectContaining({ assess_id: 'default-D-3', is_default: 1, superseded_by: d3.id }),
      expect.objectContaining({ assess_id: d3.id, assess_number: 1, level: 4, replaces: 'default-D-3' }),
    ]);
    expect(await state('D-3')).toBe('rated');
    expect(await assessment('D-4')).toEqual([
      expect.objectContaining({ assess_id: 'default-D-4', assess_number: 1, is_default: 1, superseded_by: null }),
      expect.objectContaining({ assess_number: 2, level: 2, replaces: null }),
    ]);
    expect(await state('D-4')).toBe('defaulted');
  });
});
