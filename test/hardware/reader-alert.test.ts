/**
 * R19 at the gateway: a device's separate badge reader unplugged raises `reader-disconnected` on the
 * console's alert board within seconds — the device reports a part's change at once, not at its
 * next minute's status — and plugging it back clears the alert.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { startDevice, type RunningDevice } from '../support/device-process.js';
import { waitFor } from './device-events.js';
import { PtyPair } from './pty-pair.js';

describe('a badge reader unplugged at a window', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-reader-alert-'));
  const reader = new PtyPair(join(dir, 'reader-module'), join(dir, 'usb-nfc'));
  let gw: Gateway;
  let device: RunningDevice;
  const live = async () => (await gw.alerts.list({ subject: 'dev-ra1' })).filter((a) => a.kind === 'reader-disconnected' && a.clearedAt === null);

  beforeAll(async () => {
    await reader.plug();
    gw = await startInProcessGateway({ dir: join(dir, 'gw') });
    const { code } = await gw.enrolment.registerDevice('dev-ra1', 'w-01');
    device = await startDevice({
      deviceId: 'dev-ra1',
      dir: join(dir, 'device'),
      config: {
        bootstrap: { hallName: '测试大厅', window: { id: 'w-01', number: '01', department: '市场监管局' }, roster: [] },
        gateway: { url: gw.httpUrl, mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code, retry: { initialMs: 200, maxMs: 2000, stableMs: 2000, refusedMs: 2000 } },
        hardware: { panel: { enabled: false }, nfc: { mode: 'serial', path: reader.hostEnd }, reconnect: { initialMs: 50, maxMs: 400 } },
      },
    });
    expect(
      await waitFor(async () => (await gw.store.db.selectFrom('devices').select('online').where('device_id', '=', 'dev-ra1').executeTakeFirst())?.online === 1, 30_000, 100),
    ).toBe(true);
  });
  afterAll(async () => {
    await device?.stop();
    await gw?.stop();
    await reader.unplug();
  });

  it('is on the alert board within 5 s, and clears when it is back', async () => {
    expect(await waitFor(async () => (await device.api('GET', '/api/state')).body.connection.reader === 'connected', 10_000, 50)).toBe(true);
    const t0 = Date.now();
    await reader.unplug();
    expect(await waitFor(async () => (await live()).length === 1, 5000, 50), 'reader-disconnected raised').toBe(true);
    console.log(`reader unplugged → alert on the board: ${Date.now() - t0} ms`);
    await reader.plug();
    expect(await waitFor(async () => (await live()).length === 0, 5000, 50), 'reader-disconnected cleared').toBe(true);
  });
});
