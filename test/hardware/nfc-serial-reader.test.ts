/**
 * The separate-USB NFC reader case (issue 5): an RDM6300 module's byte stream on a pty pair, a real
 * device program with a real SQLite file reading it through device/hardware. A held card is one
 * login; noise and broken frames log nobody in; the reader unplugged and replugged (same path)
 * keeps working; each tap after a replug is exactly one login or logout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../device/hardware/nfc/rdm6300-framer.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { countEvents, waitFor } from './device-events.js';
import { PtyPair } from './pty-pair.js';

const BADGE = DEMO_STAFF.badgeUids[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('separate-USB NFC reader on a real device program', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-nfc-'));
  const reader = new PtyPair(join(dir, 'reader-module'), join(dir, 'usb-nfc'));
  let device: RunningDevice;
  const staffOnScreen = async () => (await device.api('GET', '/api/state')).body.staff !== null;
  /** A card held on the reader for `holdMs`: the module repeats its frame every 150 ms. */
  const hold = async (uid: string, holdMs: number) => {
    for (let t = 0; t < holdMs; t += 150) {
      await reader.write(encodeFrame(uid));
      await sleep(150);
    }
    await sleep(700); // lifted: longer than removeAfterMs
  };

  beforeAll(async () => {
    await reader.plug();
    device = await startDevice({
      deviceId: 'dev-nfc',
      dir,
      config: { hardware: { panel: { enabled: false }, nfc: { mode: 'serial', path: reader.hostEnd }, reconnect: { initialMs: 50, maxMs: 400 } } },
    });
  });
  afterAll(async () => {
    await device?.stop();
    await reader.unplug();
  });

  it('a card held for a second is one login; held again, one logout', async () => {
    await sleep(300); // the reader link opens
    await hold(BADGE, 1000);
    expect(await staffOnScreen()).toBe(true);
    expect(countEvents(device.dataDir, 'staff-login')).toBe(1);
    await hold(BADGE, 600);
    expect(await staffOnScreen()).toBe(false);
    expect(countEvents(device.dataDir, 'staff-logout')).toBe(1);
  });

  it('noise and broken frames log nobody in, and the next real tap works', async () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xff;
    const good = encodeFrame(BADGE);
    for (let i = 0; i < 40; i++) {
      const badSum = Buffer.from(good);
      badSum[12] = badSum[12] === 0x30 ? 0x31 : 0x30;
      await reader.write(Buffer.concat([Buffer.from(Array.from({ length: 64 }, rnd)), good.subarray(0, 1 + (i % 12)), badSum]));
      await sleep(10);
    }
    await sleep(700);
    expect(await staffOnScreen()).toBe(false);
    expect(countEvents(device.dataDir, 'staff-login')).toBe(1);
    await hold(BADGE, 300);
    expect(await staffOnScreen()).toBe(true);
    await hold(BADGE, 300);
    expect(await staffOnScreen()).toBe(false);
  });

  it('unplugged and replugged 20 times: every tap after the replug counts exactly once', async () => {
    const loginsBefore = countEvents(device.dataDir, 'staff-login');
    const logoutsBefore = countEvents(device.dataDir, 'staff-logout');
    for (let i = 0; i < 20; i++) {
      await reader.unplug();
      await sleep(30);
      await reader.plug();
      // The reader is back when a tap is seen: tap until the screen flips, then never again.
      const expectStaff = i % 2 === 0;
      const flipped = await waitFor(
        async () => {
          await reader.write(encodeFrame(BADGE));
          return (await staffOnScreen()) === expectStaff;
        },
        5000,
        100,
      );
      expect(flipped, `replug ${i}`).toBe(true);
      // Keep holding the card a while: still one tap.
      for (let k = 0; k < 3; k++) {
        await reader.write(encodeFrame(BADGE));
        await sleep(100);
      }
      expect(await staffOnScreen()).toBe(expectStaff);
    }
    expect(countEvents(device.dataDir, 'staff-login') - loginsBefore).toBe(10);
    expect(countEvents(device.dataDir, 'staff-logout') - logoutsBefore).toBe(10);
  });

  it('says when the reader is unplugged and back (the status the gateway alerts on, R19)', async () => {
    const reader_ = async () => (await device.api('GET', '/api/state')).body.connection.reader as string;
    expect(await waitFor(async () => (await reader_()) === 'connected', 5000, 50)).toBe(true);
    await reader.unplug();
    expect(await waitFor(async () => (await reader_()) === 'disconnected', 5000, 50)).toBe(true);
    await reader.plug();
    expect(await waitFor(async () => (await reader_()) === 'connected', 5000, 50)).toBe(true);
  });
});
