/**
 * Issue 10, hole 12 (the uplink's part): no uplink timer may depend on a device's clock. A 差评 waits
 * for its details at most `holdMs` after the gateway stored it, by the gateway's clock — a device
 * clock two years ahead once held one for two years.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeProvince } from './support/fake-province.js';
import { addWindow, FakeDevice, storeRecords, until } from './support/fixtures.js';
import { UplinkRig } from './support/rig.js';

const YEAR = 365 * 86_400_000;
let rig: UplinkRig;
let province: FakeProvince;

beforeEach(async () => {
  rig = await UplinkRig.open();
  province = new FakeProvince();
  await addWindow(rig.store, 'w-07', '07');
});
afterEach(async () => {
  await rig.close();
});

const now = () => new Date(rig.clock.now());

describe('a 差评 is held by the gateway clock only (hole 12)', () => {
  it('from a device whose clock is two years ahead: released 90 s after the gateway stored it', async () => {
    const dev = new FakeDevice('dev-ahead', 'w-07');
    const storedAt = now();
    const r = dev.rating(new Date(storedAt.getTime() + 2 * YEAR), 2, { caseNo: 'C-12' });
    await storeRecords(rig.store, [r], { storedAt, deviceAheadMs: 2 * YEAR });
    await rig.assess();
    const f = rig.uplink(province);
    f.start();

    rig.clock.advance(89_000);
    await f.settle();
    await new Promise((res) => setTimeout(res, 200));
    expect(province.stored()).toEqual([]); // still waiting for its details

    rig.clock.advance(2_000);
    await f.settle();
    await until(() => province.stored().length === 1, 5000, 'the 差评 at the province');
    // And it went with the gateway's time of the press, not the device's.
    expect(province.stored()[0]!.rating).toMatchObject({ assessId: r.id, pressedAt: storedAt.toISOString(), clockFlag: 'corrected' });
  });

  it('uploaded weeks after it was pressed: still held 90 s from when the gateway stored it, so its details join it', async () => {
    const dev = new FakeDevice('dev-village', 'w-07');
    const pressed = new Date(rig.clock.now() - 21 * 86_400_000);
    const r = dev.rating(pressed, 1, { caseNo: 'C-V' });
    await storeRecords(rig.store, [r], { storedAt: now() });
    await rig.assess();
    const f = rig.uplink(province);
    f.start();
    rig.clock.advance(30_000);
    await f.settle();
    await storeRecords(rig.store, [dev.detail(r, new Date(pressed.getTime() + 40_000), [113])], { storedAt: now() });
    await rig.assess();
    await until(() => province.stored().length === 1, 5000, 'the 差评 with its details');
    expect(province.stored()[0]!.rating).toMatchObject({ assessId: r.id, reasons: [113] });
    expect(province.calls.map((c) => c.kind)).toEqual(['ratings']);
  });

  it('a good rating is not held at all, whatever the device clock says', async () => {
    const dev = new FakeDevice('dev-behind', 'w-07');
    const r = dev.rating(new Date(rig.clock.now() - 2 * YEAR), 5, { caseNo: 'C-G' });
    await storeRecords(rig.store, [r], { storedAt: now(), deviceAheadMs: -2 * YEAR });
    await rig.assess();
    rig.uplink(province).start();
    await until(() => province.stored().length === 1, 5000, 'the rating at the province');
  });
});
