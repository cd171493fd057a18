/**
 * Issue 10, hole 12 (the gateway's part): devices' clocks are wrong in the field — two years ahead,
 * or back at 1970 after a dead RTC battery. The gateway keeps the signed time and stores beside it
 * the time corrected by the offset it measured, flagged; ratings are dated by the corrected time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());

async function device(id: string, skewMs: number): Promise<ScriptedDevice> {
  const d = new ScriptedDevice(id, 'w-01', gw.httpUrl);
  await d.enrol((await gw.enrolment.registerDevice(id, 'w-01')).code);
  await d.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
  d.clockSkewMs = skewMs;
  return d;
}

const TWO_YEARS = 2 * 365 * 24 * 3600_000;

describe('device clocks', () => {
  it('corrects a clock two years ahead and one stuck in 1970, and flags both', async () => {
    const ahead = await device('dev-ahead', TWO_YEARS);
    const behind = await device('dev-1970', -(Date.now() - Date.parse('1970-01-01T00:05:00Z')));
    const t0 = Date.now();
    const ra = ahead.rating(2);
    const rb = behind.rating(5);
    await ahead.send([ra]);
    await behind.send([rb]);
    const rows = await gw.store.db.selectFrom('records').select(['id', 'at', 'at_corrected', 'clock_flag', 'clock_offset_ms']).where('id', 'in', [ra.id, rb.id]).execute();
    for (const r of rows) {
      expect(r.clock_flag).toBe('corrected');
      expect(Math.abs(Date.parse(r.at_corrected) - t0)).toBeLessThan(5000);
    }
    expect(rows.find((r) => r.id === ra.id)!.at.slice(0, 4)).toBe(String(new Date(t0 + TWO_YEARS).getUTCFullYear()));
    expect(rows.find((r) => r.id === rb.id)!.at.slice(0, 4)).toBe('1970');
    const a = await waitFor(() => gw.store.db.selectFrom('assessments').select(['pressed_at', 'clock_flag']).where('assess_id', '=', ra.id).executeTakeFirst(), {
      what: 'assessed',
    });
    expect(Math.abs(Date.parse(a.pressed_at) - t0)).toBeLessThan(5000);
    expect(a.clock_flag).toBe('corrected');
  });

  it('keeps a time it cannot check, and clamps one that cannot be true', async () => {
    const d = await device('dev-unknown', 0);
    // A run of records stamped while the device never reached us, on a clock set far in the future.
    const r = d.rating(4);
    const far = { ...r };
    await d.send([far], { clocks: [{ fromSeq: 1, current: false, offsetMs: null }] });
    const row = await gw.store.db.selectFrom('records').select(['at', 'at_corrected', 'clock_flag']).where('id', '=', r.id).executeTakeFirstOrThrow();
    expect(row.clock_flag).toBe('unverified');
    expect(row.at_corrected).toBe(new Date(Date.parse(row.at)).toISOString());

    d.clockSkewMs = 5 * TWO_YEARS;
    const future = d.rating(4);
    const t = Date.now();
    await d.send([future], { clocks: [{ fromSeq: 2, current: false, offsetMs: null }] });
    const f = await gw.store.db.selectFrom('records').select(['at_corrected', 'clock_flag']).where('id', '=', future.id).executeTakeFirstOrThrow();
    expect(f.clock_flag).toBe('implausible');
    expect(Math.abs(Date.parse(f.at_corrected) - t)).toBeLessThan(5000);
  });
});
