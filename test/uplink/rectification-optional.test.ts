/**
 * Issue 12: taking rectification records is an optional call of a province adapter. A profile that
 * does not take them (`rectifications: false`: the reference adapter without the call) still gets
 * every rating; the follow-ups' steps are passed over — nothing queued, nothing left pending,
 * nothing dead-lettered, no alert — and the simulator hears nothing of them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReferenceConfigSchema } from '../../gateway/uplink/provinces/reference/config.js';
import { ReferenceAdapter } from '../../gateway/uplink/provinces/reference/reference-adapter.js';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { FollowupPlay } from './support/followup-play.js';
import { addWindow, FakeDevice, storeRecords, until } from './support/fixtures.js';
import { SIM_KEY, UplinkRig } from './support/rig.js';

let sim: ProvinceSim;
let rig: UplinkRig;

beforeEach(async () => {
  sim = new ProvinceSim({ key: SIM_KEY, dbFile: join(mkdtempSync(join(tmpdir(), 'rectify-off-')), 'sim.db'), port: 0, keepRequests: true });
  await sim.start();
  rig = await UplinkRig.open();
  await addWindow(rig.store, 'w-01', '01');
});
afterEach(async () => {
  await rig.close();
  await sim.stop();
});

describe('a province that takes no rectification records', () => {
  it('gets the ratings, and the follow-ups leave nothing pending and raise nothing', async () => {
    const adapter = new ReferenceAdapter(
      ReferenceConfigSchema.parse({
        adapter: 'reference',
        url: `${sim.url}/province/ratings`,
        appId: 'hall-1',
        key: SIM_KEY,
        areaCode: '131000',
        deptCode: 'LF-01',
        rectifications: false,
      }),
    );
    expect(adapter.submitRectifications).toBeUndefined();
    const dev = new FakeDevice('dev-1', 'w-01');
    const now = () => new Date(rig.clock.now());
    const bad = dev.rating(now(), 1);
    const good = dev.rating(now(), 5);
    await storeRecords(rig.store, [bad, dev.detail(bad, now(), [209]), good], { storedAt: now() });
    await rig.assess();
    const uplink = rig.uplink(adapter);
    await uplink.start();
    await until(() => sim.count() === 2, 10_000, 'both ratings at the province');

    const play = new FollowupPlay(rig.store, rig.events, () => now().toISOString());
    const id = await play.open(bad.id);
    await play.verify(id, 'true');
    await play.resolve(id, 'immediate');
    await play.rectify(id);
    await play.reply(id);
    await play.callBack(id, 5);
    await play.close(id, 'staff', '对窗口人员进行了批评教育');
    await uplink.settle();
    await new Promise((r) => setTimeout(r, 300)); // the sender's idle poll (20 ms) several times over

    // Every step was read and passed over: the cursor is at the last event.
    const last = await rig.store.db
      .selectFrom('followup_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirstOrThrow();
    const cursor = await rig.store.db.selectFrom('cursors').select('position').where('name', '=', 'uplink-followups').executeTakeFirstOrThrow();
    expect(cursor.position).toBe(Number(last.seq));
    expect(await rig.outboxStates()).toEqual({ sent: 2 });
    expect(await uplink.sender.pendingCount()).toBe(0);
    expect(await rig.store.db.selectFrom('uplink_dead_letters').selectAll().execute()).toEqual([]);
    expect(await rig.alerts.list({ all: true })).toEqual([]);
    expect(sim.rectifications()).toEqual([]);
    expect(sim.requests().map((r) => r.endpoint)).not.toContain('rectifications');
    expect(sim.stats).toMatchObject({ accepted: 2, rejected: 0 });
  });
});
