/**
 * "A hall whose gateway is not reachable from phones says so and the kiosk hides the code rather
 * than show a dead one" (issue 13). The gateway asks its own public address for a nonce every
 * second here; the address is a proxy we cut, then point at another server, then restore. The
 * device (a real process) is what the kiosk renders from: its view loses and regains the codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE_ALERT } from '../../gateway/phone/phone-reach.js';
import { startPhoneHall, until, type PhoneHall } from './phone-hall.js';

let hall: PhoneHall;
beforeAll(async () => {
  hall = await startPhoneHall({ probeEveryMs: 1000 });
}, 60_000);
afterAll(async () => hall?.stop());

const view = async () => (await hall.device.api('GET', '/api/state')).body;
const liveAlert = async () => (await hall.gw.alerts.list()).find((a) => a.kind === PHONE_ALERT && a.clearedAt === null);

describe('phones can reach the rating page, or the kiosk hides the codes', () => {
  it('cut: an alert says why and the kiosk drops both codes; back: the alert clears and the codes return', async () => {
    // Reachable at start: the codes are shown, no alert.
    expect(await hall.phone.reach!.probe()).toEqual({ ok: true });
    expect((await view()).windowQrUrl).toBe(`${hall.qrBaseUrl}/w/w-01`);
    expect(await liveAlert()).toBeUndefined();

    hall.proxy.cutNetwork();
    await until(async () => (await liveAlert()) !== undefined, 10_000, 'the alert');
    const alert = (await liveAlert())!;
    expect(alert.detail).toContain('Phones cannot reach the rating page');
    expect(alert.detail).toContain(`${hall.qrBaseUrl}/phone/ping`);
    expect(alert.detail).toMatch(/could not be reached: (the connection was cut|connection refused)/);
    await until(async () => (await view()).windowQrUrl === undefined, 10_000, 'the kiosk to hide the window code');
    // A case arriving now shows no per-case code either.
    expect((await hall.postCase('LF-REACH-1')).status).toBe(200);
    await until(async () => (await view()).invitation?.caseNo === 'LF-REACH-1', 10_000, 'the case on the device');
    expect((await view()).invitation.qrUrl).toBeUndefined();
    console.log(`unreachable: ${alert.detail}`);

    // The address answers, but it is not this gateway (a wrong port forward): still unreachable, and the alert says so.
    hall.proxy.restore();
    hall.pointPublicAddressAt(Number(new URL(hall.sim.url).port));
    await until(async () => (await liveAlert())?.detail.includes('answered HTTP 404') ?? false, 10_000, 'the alert to name the wrong server');
    expect((await view()).windowQrUrl).toBeUndefined();

    hall.pointPublicAddressAt(null);
    await until(async () => (await liveAlert()) === undefined, 10_000, 'the alert to clear');
    await until(async () => (await view()).windowQrUrl === `${hall.qrBaseUrl}/w/w-01`, 10_000, 'the window code back on the kiosk');
    const cleared = (await hall.gw.alerts.list({ all: true })).find((a) => a.kind === PHONE_ALERT)!;
    expect(cleared.clearedAt).not.toBeNull();
    // Still unacknowledged: it stays on the board until a person has seen it.
    expect(cleared.ackedAt).toBeNull();
  }, 60_000);
});
