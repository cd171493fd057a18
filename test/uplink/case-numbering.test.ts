/**
 * Issue 10, hole 2: "One case, two records at the province". The ledger numbers a case's ratings by
 * when they were pressed (gateway/ratings/assessor.ts); the uplink must send what it decided: a real
 * rating pressed before the R7 deadline that arrives after the default went up is a correction of
 * the default (the case keeps one first rating), one pressed after is a 追加评价 (assessNumber 2).
 * The simulator keys ratings by case and number and refuses a second first rating, so a second
 * first rating would show here as a dead letter and a missing correction.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { addCase, addWindow, FakeDevice, storeRecords, TestClock, until } from './support/fixtures.js';
import { referenceAdapter, UplinkRig } from './support/rig.js';

let rig: UplinkRig;
let sim: ProvinceSim;

// Case announced Fri 2025-09-26; its 5th working day after National Day is Fri 2025-10-10.
const DEADLINE = '2025-10-10';
const AFTER_DEADLINE = new Date('2025-10-11T00:00:01+08:00');

beforeEach(async () => {
  rig = await UplinkRig.open(new TestClock(AFTER_DEADLINE.getTime()));
  sim = await rig.startSimulator();
  await addWindow(rig.store, 'w-07', '07');
});
afterEach(async () => {
  await rig.close();
});

async function defaultedCase(caseNo: string): Promise<void> {
  await addCase(rig.store, { caseNo, windowId: 'w-07', windowNumber: '07', deadlineDate: DEADLINE, itemCode: 'I-9', itemName: '变更登记', createdAt: '2025-09-26T02:00:00.000Z' });
  await rig.giveDefault(caseNo, AFTER_DEADLINE);
}

describe('one case, one first rating at the province (hole 2)', () => {
  it('a rating pressed in time that arrives after the default went up is a correction: one first rating, the default kept as history', async () => {
    await defaultedCase('C-1');
    rig.uplink(referenceAdapter(sim)).start();
    await until(() => sim.caseView('C-1').first?.assessId === 'default-C-1', 10_000, 'the default at the province');

    // Pressed on the deadline day, stored two days later (the device was offline).
    rig.clock.t = Date.parse('2025-10-12T09:00:00+08:00');
    const dev = new FakeDevice('dev-a', 'w-07');
    const r = dev.rating(new Date('2025-10-10T15:00:00+08:00'), 5, { caseNo: 'C-1', itemCode: 'I-9' });
    await storeRecords(rig.store, [r], { storedAt: new Date(rig.clock.now()) });
    await rig.assess();

    await until(() => sim.caseView('C-1').first?.assessId === r.id, 10_000, 'the correction at the province');
    const v = sim.caseView('C-1');
    expect(v.first).toMatchObject({
      kind: 'correction',
      replaces: 'default-C-1',
      assessNumber: 1,
      record: { satisfaction: 5, pf: 4, isDefault: 0, windowNo: '07', assessTime: '2025-10-10 15:00:00' },
    });
    expect(v.history.map((h) => ({ assessId: h.assessId, replacedBy: h.replacedBy, pf: h.record.pf }))).toEqual([{ assessId: 'default-C-1', replacedBy: r.id, pf: 7 }]);
    expect(v.followUps).toEqual([]);
    expect(sim.counts()).toMatchObject({ firstRatings: 1, corrections: 1 });
    expect(sim.stats.rejected).toBe(0);
    await until(async () => (await rig.outboxStates()).sent === 2, 5000, 'the outcomes committed');
    expect(await rig.outboxStates()).toEqual({ sent: 2 });
  });

  it('a rating pressed after the deadline is a 追加评价 (assessNumber 2) beside the default', async () => {
    await defaultedCase('C-2');
    rig.uplink(referenceAdapter(sim)).start();
    await until(() => sim.caseView('C-2').first !== null, 10_000, 'the default at the province');
    rig.clock.t = Date.parse('2025-10-12T15:00:05+08:00');
    const r = new FakeDevice('dev-b', 'w-07').rating(new Date('2025-10-12T15:00:00+08:00'), 4, { caseNo: 'C-2', itemCode: 'I-9' });
    await storeRecords(rig.store, [r], { storedAt: new Date(rig.clock.now()) });
    await rig.assess();

    await until(() => sim.caseView('C-2').followUps.length === 1, 10_000, 'the 追加评价 at the province');
    const v = sim.caseView('C-2');
    expect(v.first).toMatchObject({ assessId: 'default-C-2', record: { pf: 7, isDefault: 1, satisfaction: 3 } });
    expect(v.followUps[0]).toMatchObject({ assessId: r.id, assessNumber: 2, kind: 'rating', record: { assessNumber: 2, pf: 4, satisfaction: 4 } });
    expect(v.history).toEqual([]);
    expect(sim.stats.rejected).toBe(0);
  });

  it('a default that never left the gateway and is superseded is dropped: the real rating goes alone, as the first rating', async () => {
    // The uplink is not running while the default is given and the late rating comes in.
    await defaultedCase('C-3');
    rig.clock.t = Date.parse('2025-10-12T09:00:00+08:00');
    const r = new FakeDevice('dev-c', 'w-07').rating(new Date('2025-10-10T16:00:00+08:00'), 2, { caseNo: 'C-3' });
    await storeRecords(rig.store, [r], { storedAt: new Date(rig.clock.now()) });
    await rig.assess();
    rig.clock.advance(120_000); // past the 差评's hold for details
    rig.uplink(referenceAdapter(sim)).start();

    await until(() => sim.caseView('C-3').first !== null, 10_000, 'the first rating at the province');
    await new Promise((res) => setTimeout(res, 300));
    const v = sim.caseView('C-3');
    expect(v.first).toMatchObject({ assessId: r.id, kind: 'rating', replaces: null, record: { satisfaction: 2, pf: 4, isDefault: 0 } });
    expect(v.history).toEqual([]);
    expect(sim.count()).toBe(1);
    await until(async () => (await rig.outboxStates()).sent === 1, 5000, 'the outcome committed');
    expect(await rig.outboxStates()).toEqual({ sent: 1, superseded: 1 });
  });

  it("during an outage a correction waits for the default it replaces, a 追加评价 for its case's first rating", async () => {
    sim.setFault({ mode: 'down' });
    await defaultedCase('C-4');
    await defaultedCase('C-5');
    const f = rig.uplink(referenceAdapter(sim));
    f.start();
    const onWire = async () => (await rig.store.db.selectFrom('uplink_outbox').select('assess_id').where('on_wire', '=', 1).execute()).length;
    await until(async () => (await onWire()) === 2, 10_000, 'both defaults sent (and refused)');
    // The defaults were on the wire (their requests failed, for all we know after the province
    // stored them): they are never dropped, so the late ratings go after them.
    rig.clock.t = Date.parse('2025-10-12T09:00:00+08:00');
    const dev = new FakeDevice('dev-d', 'w-07');
    const inTime = dev.rating(new Date('2025-10-10T16:00:00+08:00'), 4, { caseNo: 'C-4' });
    const late = dev.rating(new Date('2025-10-12T08:59:00+08:00'), 5, { caseNo: 'C-5' });
    await storeRecords(rig.store, [inTime, late], { storedAt: new Date(rig.clock.now()) });
    await rig.assess();
    await f.settle();
    sim.setFault({ mode: 'none' });

    await until(() => sim.caseView('C-4').first?.assessId === inTime.id && sim.caseView('C-5').followUps.length === 1, 10_000, 'both at the province');
    expect(sim.caseView('C-4').history.map((h) => h.assessId)).toEqual(['default-C-4']);
    expect(sim.caseView('C-5')).toMatchObject({ first: { assessId: 'default-C-5' }, followUps: [{ assessId: late.id, assessNumber: 2 }] });
    expect(sim.stats.rejected).toBe(0); // nothing arrived before what it follows
  });

  it("a 追加评价 that waited for a default which is then dropped waits for the rating that took the default's place", async () => {
    await defaultedCase('C-6');
    rig.clock.t = Date.parse('2025-10-12T09:00:00+08:00');
    // The 追加评价 (pressed after the deadline) arrives first; the in-time rating, from a device
    // that was offline, after it.
    const late = new FakeDevice('dev-e', 'w-07').rating(new Date('2025-10-12T08:00:00+08:00'), 4, { caseNo: 'C-6' });
    await storeRecords(rig.store, [late], { storedAt: new Date(rig.clock.now()) });
    await rig.assess();
    const inTime = new FakeDevice('dev-f', 'w-07').rating(new Date('2025-10-10T11:00:00+08:00'), 5, { caseNo: 'C-6' });
    await storeRecords(rig.store, [inTime], { storedAt: new Date(rig.clock.now()) });
    await rig.assess();
    rig.uplink(referenceAdapter(sim)).start();

    await until(() => sim.caseView('C-6').followUps.length === 1, 10_000, 'the 追加评价 at the province');
    expect(sim.caseView('C-6')).toMatchObject({ first: { assessId: inTime.id, kind: 'rating' }, history: [], followUps: [{ assessId: late.id, assessNumber: 2 }] });
    expect(sim.stats.rejected).toBe(0);
    expect(sim.count()).toBe(2);
  });
});
