/**
 * Issue 10, hole 3: "Late 差评 details never reach the province". A 差评's reasons and comment come
 * as a second record; when they come after the rating went up they are an amendment at the
 * province; while the rating is still unsent they are folded into it — including when it is on its
 * way at that very moment. The rater's sealed contact never goes up.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { FakeProvince } from './support/fake-province.js';
import { addWindow, FakeDevice, storeRecords, until } from './support/fixtures.js';
import { referenceAdapter, UplinkRig } from './support/rig.js';

let rig: UplinkRig;
let sim: ProvinceSim;

beforeEach(async () => {
  rig = await UplinkRig.open();
  sim = await rig.startSimulator();
  await addWindow(rig.store, 'w-07', '07');
});
afterEach(async () => {
  await rig.close();
});

const now = () => new Date(rig.clock.now());

describe('late 差评 details reach the province (hole 3)', () => {
  it('details that come after the 差评 went up are an amendment, applied at the province', async () => {
    const dev = new FakeDevice('dev-a', 'w-07');
    const r = dev.rating(now(), 1, { caseNo: 'C-31' });
    await storeRecords(rig.store, [r], { storedAt: now() });
    await rig.assess();
    const f = rig.uplink(referenceAdapter(sim));
    f.start();
    rig.clock.advance(91_000); // the hold for details is over: it goes without them
    await until(() => sim.caseView('C-31').first !== null, 10_000, 'the 差评 at the province');
    expect(sim.caseView('C-31').first?.record).toMatchObject({ satisfaction: 1, evalDetail: '', writingEvaluation: '' });

    rig.clock.advance(5 * 60_000); // the citizen took their time
    await storeRecords(rig.store, [dev.detail(r, now(), [113, 115], '材料要求前后不一致')], { storedAt: now() });
    await rig.assess();

    await until(() => sim.caseView('C-31').amendments.length === 1, 10_000, 'the amendment at the province');
    const v = sim.caseView('C-31');
    expect(v.amendments).toMatchObject([{ assessId: r.id, evalDetail: '113,115', writingEvaluation: '材料要求前后不一致' }]);
    expect(v.first?.record).toMatchObject({ evalDetail: '113,115', writingEvaluation: '材料要求前后不一致' });
    expect(JSON.stringify(sim.stored())).not.toMatch(/x25519|MTM5|contact/);
    await until(async () => (await rig.outboxStates()).sent === 2, 5000, 'both items sent');
    // Nothing is kept aside "for later": the rating and its amendment are all the uplink holds.
    expect(await rig.outboxStates()).toEqual({ sent: 2 });
    expect(await rig.store.db.selectFrom('uplink_held').selectAll().execute()).toEqual([]);
  });

  it('details that come while the 差评 is still unsent are folded into it: one record, no amendment', async () => {
    sim.setFault({ mode: 'down' });
    const dev = new FakeDevice('dev-b', 'w-07');
    const r = dev.rating(now(), 2, { caseNo: 'C-32' });
    await storeRecords(rig.store, [r], { storedAt: now() });
    await rig.assess();
    const f = rig.uplink(referenceAdapter(sim));
    f.start();
    rig.clock.advance(91_000);
    await until(() => sim.stats.requests >= 2, 10_000, 'requests to the province');
    await storeRecords(rig.store, [dev.detail(r, now(), [209], '等了很久')], { storedAt: now() });
    await rig.assess();
    await f.settle();
    sim.setFault({ mode: 'none' });

    await until(() => sim.caseView('C-32').first !== null, 10_000, 'the 差评 at the province');
    await until(async () => (await f.sender.pendingCount()) === 0, 5000, 'the outbox drained');
    const v = sim.caseView('C-32');
    expect(v.first?.record).toMatchObject({ satisfaction: 2, evalDetail: '209', writingEvaluation: '等了很久' });
    expect(v.amendments).toEqual([]);
    expect(sim.counts()).toMatchObject({ stored: 1, amendments: 0 });
  });

  it('details folded in after a send whose answer was lost still arrive: the resend is a duplicate, an amendment follows', async () => {
    // The province stores the 差评 but its answer never comes (timeout after commit); the details
    // come before the resend, which carries them, and the province answers duplicate: its copy is
    // the one without them. Found by the press-to-province drill.
    sim.setFault({ mode: 'timeout-after-commit', count: 1 });
    const dev = new FakeDevice('dev-d', 'w-07');
    const r = dev.rating(now(), 2, { caseNo: 'C-34' });
    await storeRecords(rig.store, [r], { storedAt: now() });
    await rig.assess();
    const f = rig.uplink(referenceAdapter(sim, { timeoutMs: 300 }));
    f.start();
    rig.clock.advance(91_000);
    await until(() => sim.caseView('C-34').first !== null, 10_000, 'the 差评 stored at the province, its answer lost');
    sim.setFault({ mode: 'down' }); // the resends wait while the details come
    await until(() => sim.stats.requests >= 2, 10_000, 'a resend refused while the province is down');
    await storeRecords(rig.store, [dev.detail(r, now(), [209, 213], '跑了好几趟')], { storedAt: now() });
    await rig.assess();
    await f.settle();
    sim.setFault({ mode: 'none' });

    await until(() => sim.caseView('C-34').amendments.length === 1, 10_000, 'the amendment at the province');
    expect(sim.caseView('C-34').first?.record).toMatchObject({ satisfaction: 2, evalDetail: '209,213', writingEvaluation: '跑了好几趟' });
    expect(sim.counts()).toMatchObject({ stored: 1 });
  });

  it('details folded in while the 差评 is on its way still arrive: an amendment follows it', async () => {
    const province = new FakeProvince();
    let open!: () => void;
    province.gate = new Promise<void>((r) => (open = r));
    const dev = new FakeDevice('dev-c', 'w-07');
    const r = dev.rating(now(), 1, { caseNo: 'C-33' });
    await storeRecords(rig.store, [r], { storedAt: now() });
    await rig.assess();
    const f = rig.uplink(province);
    f.start();
    rig.clock.advance(91_000);
    await until(() => province.calls.length === 1, 10_000, 'the 差评 on its way');

    await storeRecords(rig.store, [dev.detail(r, now(), [115], '服务态度差')], { storedAt: now() });
    await rig.assess();
    await f.settle();
    const row = await rig.store.db.selectFrom('uplink_outbox').select(['revision', 'state']).where('item_key', '=', `rating:${r.id}`).executeTakeFirstOrThrow();
    expect(row).toEqual({ revision: 1, state: 'pending' }); // folded while the request was out
    province.gate = null;
    open();

    await until(() => province.view('C-33').amendments.length === 1, 10_000, 'the amendment');
    expect(province.calls.map((c) => c.kind)).toEqual(['ratings', 'amendments']);
    expect(province.view('C-33').first?.rating).toMatchObject({ assessId: r.id, reasons: [115], comment: '服务态度差' });
  });
});
