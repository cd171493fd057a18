/**
 * Issue 11, device alerts (R19): the device watch and the status book raise and clear alerts on a
 * fake clock — a device offline during opening hours (and not outside them, not on a holiday, but
 * on a make-up working day), cleared when it is back; a backlog growing report after report; a
 * chain gap until the missing records arrive; one `security` alert for a flood of refusals.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../gateway/alerts/alert-board.js';
import type { Gateway } from '../../gateway/gateway.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

/** A China time (UTC+8) as epoch ms. */
const at = (local: string) => Date.parse(`${local}:00+08:00`);

let now = at('2026-10-05T07:00');
let gw: Gateway;
beforeAll(async () => {
  // The watch's own timer stays out of the way: the test looks with tick().
  gw = await startInProcessGateway({
    clock: { now: () => now },
    sections: { watch: { everyMs: 3_600_000, offlineAfterMin: 10, securityFloodEvents: 5, securityFloodWindowMin: 10 } },
  });
  await gw.auth.createUser('it', 'it-password-123', 'hall-it');
});
afterAll(async () => gw?.stop());

const mqttUrl = () => `mqtt://127.0.0.1:${gw.mqttPort}`;
const online = async (id: string) => (await gw.store.db.selectFrom('devices').select('online').where('device_id', '=', id).executeTakeFirstOrThrow()).online === 1;

/** The alert of a kind and subject that is live (not cleared), if any. */
async function live(kind: string, subject: string): Promise<AlertView | undefined> {
  return (await gw.alerts.list({ all: true })).find((a) => a.kind === kind && a.subject === subject && a.clearedAt === null);
}

async function device(id: string, windowId = 'w-01'): Promise<ScriptedDevice> {
  const dev = new ScriptedDevice(id, windowId, gw.httpUrl);
  await dev.enrol((await gw.enrolment.registerDevice(id, windowId)).code);
  return dev;
}

async function connect(dev: ScriptedDevice): Promise<void> {
  await dev.connect(mqttUrl());
  await waitFor(() => online(dev.deviceId), { what: `${dev.deviceId} online` });
}

/** Connected, then the cable cut at China time `local`: offline since then. */
async function offlineSince(dev: ScriptedDevice, local: string): Promise<void> {
  now = at(local);
  await connect(dev);
  dev.cut();
  await waitFor(async () => !(await online(dev.deviceId)), { what: `${dev.deviceId} offline` });
}

async function lookAt(local: string): Promise<void> {
  now = at(local);
  await gw.watch.tick();
}

describe('device-offline follows the opening hours on the official calendar', () => {
  it('is no alert on a statutory holiday (National Day, a Monday)', async () => {
    const dev = await device('dev-holiday');
    await offlineSince(dev, '2026-10-05T08:00');
    await lookAt('2026-10-05T10:00');
    expect(await live('device-offline', 'dev-holiday')).toBeUndefined();
    await dev.close();
  });

  it('alerts on a make-up working day (调休, a Saturday), and not on a plain Saturday', async () => {
    const makeUp = await device('dev-makeup');
    await offlineSince(makeUp, '2026-10-10T08:00');
    await lookAt('2026-10-10T08:39');
    expect(await live('device-offline', 'dev-makeup')).toBeUndefined();
    await lookAt('2026-10-10T08:40');
    expect((await live('device-offline', 'dev-makeup'))?.detail).toMatch(/offline since 2026-10-10 08:00 .* window 01/);

    const weekend = await device('dev-weekend');
    await offlineSince(weekend, '2026-11-21T08:00');
    await lookAt('2026-11-21T10:00');
    expect(await live('device-offline', 'dev-weekend')).toBeUndefined();
  });

  it('alerts a device offline 10 minutes while the hall is open, once, and clears it when the device is back', async () => {
    const dev = await device('dev-open');
    await offlineSince(dev, '2026-11-24T09:00');
    await lookAt('2026-11-24T09:09');
    expect(await live('device-offline', 'dev-open')).toBeUndefined();
    await lookAt('2026-11-24T09:10');
    expect(await live('device-offline', 'dev-open')).toBeDefined();
    await lookAt('2026-11-24T09:20');
    expect((await live('device-offline', 'dev-open'))?.count).toBe(1);

    now = at('2026-11-24T09:30');
    await connect(dev);
    await waitFor(async () => !(await live('device-offline', 'dev-open')), { what: 'offline alert cleared' });
    const cleared = (await gw.alerts.list({ all: true })).find((a) => a.kind === 'device-offline' && a.subject === 'dev-open')!;
    expect(cleared.clearedAt).toBe(new Date(at('2026-11-24T09:30')).toISOString());
    // Cleared but not acknowledged: still on the board for hall IT.
    expect((await gw.alerts.list()).some((a) => a.id === cleared.id)).toBe(true);
    await dev.close();
  });

  it('is quiet at lunch and at night, and alerts N minutes after the hall opens again', async () => {
    const lunch = await device('dev-lunch');
    await offlineSince(lunch, '2026-11-24T11:58');
    await lookAt('2026-11-24T12:30');
    expect(await live('device-offline', 'dev-lunch')).toBeUndefined();
    await lookAt('2026-11-24T13:39');
    expect(await live('device-offline', 'dev-lunch')).toBeUndefined();
    await lookAt('2026-11-24T13:40');
    expect(await live('device-offline', 'dev-lunch')).toBeDefined();

    const night = await device('dev-night');
    await offlineSince(night, '2026-11-24T17:25');
    await lookAt('2026-11-24T21:00');
    expect(await live('device-offline', 'dev-night')).toBeUndefined();
    await lookAt('2026-11-25T08:39');
    expect(await live('device-offline', 'dev-night')).toBeUndefined();
    await lookAt('2026-11-25T08:40');
    expect(await live('device-offline', 'dev-night')).toBeDefined();
  });
});

describe('alerts from what devices report and send', () => {
  it('raises backlog-growing after three rising reports above the floor, kept in the database, and clears it when it drains', async () => {
    now = at('2026-11-25T10:00');
    const dev = await device('dev-backlog');
    await connect(dev);
    const reports = async () =>
      (await gw.store.db.selectFrom('device_backlog_reports').select('backlog').where('device_id', '=', 'dev-backlog').orderBy('id').execute()).map((r) => r.backlog);
    const report = async (backlog: number, expected: number[]) => {
      await dev.publishJson('status', { deviceId: 'dev-backlog', online: true, backlog });
      await waitFor(async () => JSON.stringify(await reports()) === JSON.stringify(expected), { what: `backlog ${backlog} recorded` });
    };
    await report(60, [60]);
    await report(70, [60, 70]);
    await report(80, [60, 70, 80]);
    expect(await live('backlog-growing', 'dev-backlog')).toBeUndefined();
    await report(90, [60, 70, 80, 90]);
    expect((await live('backlog-growing', 'dev-backlog'))?.detail).toMatch(/60 → 70 → 80 → 90/);
    // Only the last few reports are kept.
    await report(95, [70, 80, 90, 95]);
    await report(40, [80, 90, 95, 40]);
    expect(await live('backlog-growing', 'dev-backlog')).toBeUndefined();

    await dev.publishJson('status', { deviceId: 'dev-backlog', online: true, reader: 'disconnected' });
    await waitFor(() => live('reader-disconnected', 'dev-backlog'), { what: 'reader alert' });
    await dev.publishJson('status', { deviceId: 'dev-backlog', online: true, reader: 'connected' });
    await waitFor(async () => !(await live('reader-disconnected', 'dev-backlog')), { what: 'reader alert cleared' });
    await dev.close();
  });

  it('raises chain-gap when ingest records a gap, and clears it once the missing records are stored', async () => {
    now = at('2026-11-25T10:30');
    const dev = await device('dev-gap');
    await connect(dev);
    expect((await dev.send([dev.rating(5), dev.rating(4)])).committedThroughSeq).toBe(2);
    const r3 = dev.rating(5);
    const r4 = dev.rating(5);
    const r5 = dev.rating(3);
    const ack = await dev.send([r5]);
    expect(ack.rejected.map((r) => r.code)).toEqual(['chain-gap']);
    await gw.watch.tick();
    expect((await live('chain-gap', 'dev-gap'))?.detail).toMatch(/records 3–4 .* seq 5/);

    expect((await dev.send([r3, r4, r5])).committedThroughSeq).toBe(5);
    await gw.watch.tick();
    expect(await live('chain-gap', 'dev-gap')).toBeUndefined();
    await dev.close();
  });

  it('raises one security alert for a flood of refused connections from one address, and clears it after a quiet window', async () => {
    now = at('2026-11-25T11:00');
    for (let i = 0; i < 8; i++) {
      const c = mqtt.connect(mqttUrl(), { clientId: `dev-stranger-${i}`, username: 'not-the-id', password: 'guess', reconnectPeriod: 0, connectTimeout: 5000 });
      await new Promise<void>((resolve) => {
        c.once('error', () => resolve());
        c.once('close', () => resolve());
      });
      c.end(true);
    }
    // Reading the security events writes what the log still holds in memory (a session of this fake day).
    const login = await gw.auth.login('it', 'it-password-123', null);
    const events = await fetch(`${gw.httpUrl}/api/security-events`, { headers: { authorization: `Bearer ${login.ok ? login.token : ''}` } });
    expect(events.status).toBe(200);
    await gw.watch.tick();
    await gw.watch.tick();
    const floods = (await gw.alerts.list()).filter((a) => a.kind === 'security');
    expect(floods).toHaveLength(1);
    expect(floods[0]).toMatchObject({ count: 1, clearedAt: null });
    expect(floods[0]!.subject).toMatch(/^connect-refused:.*127\.0\.0\.1$/);

    await lookAt('2026-11-25T11:11');
    expect((await gw.alerts.list()).find((a) => a.id === floods[0]!.id)?.clearedAt).not.toBeNull();
  });
});
