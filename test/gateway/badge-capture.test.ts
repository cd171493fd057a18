/**
 * Issue 11, badge capture end to end: hall IT picks a device and clicks "capture"; the next badge
 * tapped on that real device process (its local API's POST /api/badge stands in for the reader)
 * goes to the gateway instead of logging anyone in or out, and the console reads its UID. The
 * capture ends after one tap or after forSec. The gateway takes a report only from the device it
 * asked, once, in time; a device whose software predates commands is refused at once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '@hcp/contract';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { loggedIn, type ConsoleClient, type ConsoleReply } from '../support/console-client.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { ScriptedDevice } from '../support/scripted-device.js';

const until = async (what: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Added to the gateway's clock: the gateway's expiry is its own, whatever the device's timer says. */
let skewMs = 0;
let gw: Gateway;
let it1: ConsoleClient;
let device: RunningDevice;
const BADGE = DEMO_STAFF.badgeUids[0]!;

beforeAll(async () => {
  gw = await startInProcessGateway({ clock: { now: () => Date.now() + skewMs } });
  await gw.registry.upsertStaff({ ...DEMO_STAFF, windowId: 'w-01' });
  await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
  it1 = await loggedIn(gw, 'it1', 'it-password-0001');
  const { code } = await gw.enrolment.registerDevice('dev-cap-1', 'w-01');
  device = await startDevice({
    deviceId: 'dev-cap-1',
    dir: mkdtempSync(join(tmpdir(), 'hcp-cap-')),
    // At info level the device logs each capture it opens (capturedOpen below).
    config: { logLevel: 'info', gateway: { url: gw.httpUrl, mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code } },
  });
  await until(async () => (await device.api('GET', '/api/state')).body.window.id === 'w-01', 15_000);
});
afterAll(async () => {
  await device?.stop();
  await gw?.stop();
});

const capture = (deviceId: string, body: unknown = {}) => it1.call('POST', `/api/devices/${deviceId}/capture-badge`, body);
const captureState = async (captureId: string) => (await it1.call('GET', `/api/badge-captures/${captureId}`)).body;
/**
 * Wait until the device has the capture open. The command comes over MQTT and the test's tap over
 * the local API, two sockets: a tap sent the moment the console is answered may overtake it (a
 * person at the device taps seconds later).
 */
const captureOpen = (captureId: string) => until(async () => device.stderr().includes(`"captureId":"${captureId}"`), 5000);
const staffOnDevice = async () => (await device.api('GET', '/api/state')).body.staff as { name: string } | null;

describe('badge capture', () => {
  it('the next badge tapped on the chosen device reaches the console instead of logging anyone in', async () => {
    // The device subscribes to its command topic once the gateway's config lists commands.
    let started: ConsoleReply | undefined;
    await until(async () => (started = await capture('dev-cap-1')).status === 200, 10_000);
    const { captureId, expiresAt } = started!.body as { captureId: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(55_000);
    expect(await captureState(captureId)).toMatchObject({ captureId, deviceId: 'dev-cap-1', state: 'waiting' });
    await captureOpen(captureId);

    // The roster's own badge, lower case as a reader may give it: captured, nobody logged in.
    expect((await device.api('POST', '/api/badge', { uid: BADGE.toLowerCase() })).status).toBe(200);
    await until(async () => (await captureState(captureId)).state === 'captured', 5000);
    expect(await captureState(captureId)).toMatchObject({ state: 'captured', uid: BADGE, capturedAt: expect.any(String) });
    expect(await staffOnDevice()).toBeNull();

    // One tap only: the next is a login again.
    expect((await device.api('POST', '/api/badge', { uid: BADGE })).status).toBe(200);
    expect((await staffOnDevice())?.name).toBe(DEMO_STAFF.name);

    const audit = await gw.store.db.selectFrom('audit_log').select(['actor', 'action', 'subject', 'detail', 'remote']).where('action', 'like', 'badge-%').execute();
    expect(audit).toEqual([
      { actor: 'it1', action: 'badge-capture-started', subject: 'dev-cap-1', detail: JSON.stringify({ captureId, forSec: 60 }), remote: expect.stringMatching(/127\.0\.0\.1/) },
      { actor: 'device:dev-cap-1', action: 'badge-captured', subject: captureId, detail: JSON.stringify({ uid: BADGE, requestedBy: 'it1' }), remote: null },
    ]);
    const db = new Database(join(device.dataDir, 'device.db'), { readonly: true });
    try {
      expect(db.prepare(`SELECT detail FROM events WHERE kind = 'badge-captured'`).all()).toEqual([{ detail: JSON.stringify({ captureId }) }]);
    } finally {
      db.close();
    }
  });

  it('ends after forSec on the device, and the gateway then answers expired', async () => {
    const started = await capture('dev-cap-1', { forSec: 5 });
    expect(started.status).toBe(200);
    await captureOpen(started.body.captureId);
    await new Promise((r) => setTimeout(r, 5500));
    // The capture is over: this tap logs the staff member out as usual.
    expect((await device.api('POST', '/api/badge', { uid: BADGE })).status).toBe(200);
    expect(await staffOnDevice()).toBeNull();
    skewMs += 10_000;
    expect(await captureState(started.body.captureId)).toEqual({ captureId: started.body.captureId, deviceId: 'dev-cap-1', state: 'expired', expiresAt: started.body.expiresAt });
  });

  it('refuses a late report, a report from another device, and a device whose software predates commands', async () => {
    // The device still holds the capture (its own 60 s) when the gateway's clock has passed it.
    const late = await capture('dev-cap-1');
    await captureOpen(late.body.captureId);
    skewMs += 70_000;
    expect((await device.api('POST', '/api/badge', { uid: 'ABCDEF0123' })).status).toBe(200);
    await until(
      async () => (await gw.store.db.selectFrom('security_events').select('id').where('kind', '=', 'badge-refused').where('client_id', '=', 'dev-cap-1').execute()).length === 1,
      5000,
    );
    expect(await captureState(late.body.captureId)).toMatchObject({ state: 'expired' });
    expect(await staffOnDevice()).toBeNull();

    // An enrolled device speaking the contract before commands: subscribes to ack, config, invite only.
    const old = new ScriptedDevice('dev-old', 'w-02', gw.httpUrl);
    expect((await old.enrol((await gw.enrolment.registerDevice('dev-old', 'w-02')).code)).status).toBe(200);
    await old.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
    try {
      const refused = await capture('dev-old');
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/does not listen for console commands/);
      // It cannot answer another device's capture, nor send garbage.
      const other = await capture('dev-cap-1');
      await old.client!.publishAsync(deviceTopic('dev-old', 'badge'), JSON.stringify({ captureId: other.body.captureId, uid: '0102030405' }), { qos: 1 });
      await old.client!.publishAsync(deviceTopic('dev-old', 'badge'), 'not json', { qos: 1 });
      const refusals = () =>
        gw.store.db.selectFrom('security_events').select('detail').where('kind', '=', 'badge-refused').where('client_id', '=', 'dev-old').orderBy('id').execute();
      await until(async () => (await refusals()).length === 2, 5000);
      // Both refused; in either order (the first waits for a store lookup, the second is refused at once).
      expect((await refusals()).map((r) => r.detail).sort()).toEqual(['badge capture refused: no capture of this device has that id', 'malformed badge capture']);
      expect(await captureState(other.body.captureId)).toMatchObject({ state: 'waiting' });
      expect(await captureState(other.body.captureId)).not.toHaveProperty('uid');
    } finally {
      await old.close();
    }

    // Unknown, never connected, retired.
    expect((await capture('dev-nope')).status).toBe(404);
    await gw.enrolment.registerDevice('dev-cap-2', 'w-02');
    const offline = await capture('dev-cap-2');
    expect(offline.status).toBe(409);
    expect(offline.body.message).toMatch(/offline/);
    await gw.enrolment.retire('dev-cap-2');
    expect((await capture('dev-cap-2')).status).toBe(410);
    expect((await capture('dev-cap-1', { forSec: 3 })).body.message).toMatch(/^forSec: /);
    expect((await it1.call('GET', '/api/badge-captures/not-a-uuid')).body.message).toMatch(/^captureId: /);
    expect((await it1.call('GET', '/api/badge-captures/019a0000-0000-7000-8000-000000000000')).status).toBe(404);
  });
});
