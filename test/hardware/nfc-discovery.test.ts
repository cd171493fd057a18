/**
 * Discovery by USB fingerprint across replugs to a NEW path (issue 5: "same or new path"): the
 * device program runs in-process on a real SQLite file, its hardware feature given a port lister
 * that reports the simulated reader's vendor/product id at whatever pty it has now. Each replug
 * moves the reader; each tap after it is exactly one login or logout. A foreign USB serial device
 * (another vendor id) is never opened.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceProgram } from '../../device/device-program.js';
import { DeviceFileConfigSchema } from '../../device/config/device-config.js';
import { createHardwareInputs } from '../../device/hardware/index.js';
import { encodeFrame } from '../../device/hardware/nfc/rdm6300-framer.js';
import type { ListedPort } from '../../device/hardware/port-discovery.js';
import { deviceConfig, DEMO_STAFF } from '../support/device-process.js';
import { countEvents, waitFor } from './device-events.js';
import { PtyPair } from './pty-pair.js';

describe('NFC reader found by USB id at a new path after each replug', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-nfc-disc-'));
  let reader: PtyPair | null = null;
  const foreign = new PtyPair(join(dir, 'foreign-dev'), join(dir, 'ttyFOREIGN'));
  let listed: ListedPort[] = [];
  let program: DeviceProgram;

  const plugAt = async (n: number) => {
    reader = new PtyPair(join(dir, `module-${n}`), join(dir, `ttyUSB${n}`));
    await reader.plug();
    listed = [
      { path: foreign.hostEnd, vendorId: '0bda', productId: '8153' },
      { path: reader.hostEnd, vendorId: '10C4', productId: 'EA60' },
    ];
  };

  beforeAll(async () => {
    await foreign.plug();
    await plugAt(0);
    const config = DeviceFileConfigSchema.parse(
      deviceConfig({
        deviceId: 'dev-nfc-disc',
        dir,
        config: { logLevel: 'silent', hardware: { panel: { enabled: false }, nfc: { mode: 'serial' }, reconnect: { initialMs: 50, maxMs: 300 } } },
      }),
    );
    program = new DeviceProgram(config, pino({ level: process.env.HCP_TEST_LOG ?? 'silent' }), {
      hardware: (deps) => createHardwareInputs(deps, { listPorts: async () => listed }),
    });
    await program.start();
  });
  afterAll(async () => {
    await program?.stop();
    await reader?.unplug();
    await foreign.unplug();
  });

  it('follows the reader through 20 replugs, one tap each', async () => {
    const staff = () => program.runtime!.view().staff !== null;
    for (let i = 1; i <= 20; i++) {
      const expected = i % 2 === 1;
      const ok = await waitFor(
        async () => {
          await reader!.write(encodeFrame(DEMO_STAFF.badgeUids[0]!));
          return staff() === expected;
        },
        5000,
        100,
      );
      expect(ok, `tap after replug ${i}`).toBe(true);
      await reader!.unplug();
      listed = [listed[0]!];
      await plugAt(i);
    }
    const data = join(dir, 'data');
    expect(countEvents(data, 'staff-login')).toBe(10);
    expect(countEvents(data, 'staff-logout')).toBe(10);
  });
});
