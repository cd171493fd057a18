/**
 * Issue 10, hole 5: the MQTT last will ({online: false}) used to replace the device's whole status
 * — backlog, last sync, version, panel — exactly when hall IT needs them. Now reports are merged:
 * the will marks the device offline (with offlineSince) and the last-known facts stay.
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

const statusOf = async (id: string) => {
  await gw.auth.createUser('it', 'it-password-123', 'hall-it');
  const login = await gw.auth.login('it', 'it-password-123', null);
  const list = (await (await fetch(`${gw.httpUrl}/api/devices`, { headers: { authorization: `Bearer ${login.ok ? login.token : ''}` } })).json()) as Array<Record<string, any>>;
  return list.find((d) => d.deviceId === id)!;
};

describe('device status across a lost connection', () => {
  it('keeps the last-known facts when the last will arrives, and says since when the device is offline', async () => {
    const dev = new ScriptedDevice('dev-will', 'w-01', gw.httpUrl);
    await dev.enrol((await gw.enrolment.registerDevice('dev-will', 'w-01')).code);
    await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`, { will: true });
    const lastSyncAt = new Date(Date.now() - 60_000).toISOString();
    await dev.publishJson('status', {
      deviceId: 'dev-will',
      online: true,
      softwareVersion: '0.2.0',
      backlog: 7,
      lastSyncAt,
      clockOffsetMs: 40,
      panel: 'connected',
      storeFill: 0.31,
    });
    await waitFor(async () => (await statusOf('dev-will')).status?.backlog === 7, { what: 'status recorded' });
    expect((await statusOf('dev-will')).online).toBe(true);

    const before = Date.now();
    dev.cut();
    const s = await waitFor(
      async () => {
        const x = await statusOf('dev-will');
        return x.online === false && x.status?.online === false ? x : null;
      },
      { what: 'offline after the will' },
    );
    expect(s.status).toMatchObject({ softwareVersion: '0.2.0', backlog: 7, lastSyncAt, clockOffsetMs: 40, panel: 'connected', storeFill: 0.31 });
    expect(Date.parse(s.offlineSince)).toBeGreaterThanOrEqual(before - 1000);
  });
});
