/**
 * Noise on every line of the panel (issue 5): random bytes and broken frames on the NFC reader's
 * line, on the USB line toward the device and toward the firmware, for seconds, while a staff is
 * logged in and the device is armed (the moment a phantom press would become a rating), then again
 * while nobody is logged in (when a phantom badge would log someone in). Nothing is stored, nobody
 * logs in or out, the device program stays up, and the next real tap and press work.
 *
 * Besides random bytes, the noise carries what a plain Firmata link would believe: a digital
 * report saying every button of ports 2 and 3 is down, a badge message and a button event with one
 * byte off, and commands that would make a button pin an output or drop its pull-up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../device/hardware/nfc/rdm6300-framer.js';
import { encodeButtonEvent, encodeNfcUid } from '../../device/hardware/panel/panel-sysex.js';
import { PanelRig, waitUntil } from '../../scripts/lib/panel-rig.js';
import { DEMO_STAFF } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';
import { countEvents } from './device-events.js';

const BADGE = DEMO_STAFF.badgeUids[0]!;

/** A seeded generator, so a failure can be replayed. */
function bytesFrom(seed: number): (n: number) => Buffer {
  let x = seed;
  return (n) => Buffer.from(Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff));
}

/** What a naive link would take for presses and a badge, each spoiled in one byte or unchecked. */
function deceptions(): { toHost: Buffer; toBoard: Buffer; reader: Buffer } {
  const offByOne = (bytes: number[], at: number) => bytes.map((b, i) => (i === at ? b ^ 0x01 : b));
  const button = encodeButtonEvent({ pin: 22, level: 0, seq: 5 });
  const badge = encodeNfcUid(BADGE);
  const frame = encodeFrame(BADGE);
  const badSum = Buffer.from(frame);
  badSum[12] = badSum[12] === 0x30 ? 0x31 : 0x30;
  return {
    toHost: Buffer.from([
      0x92,
      0x00,
      0x00,
      0x93,
      0x00,
      0x00, // DIGITAL_MESSAGE: every pin of ports 2 and 3 low (pressed)
      0xf0,
      0x0e,
      ...offByOne(button, 3),
      0xf7, // BUTTON_EVENT with a bad CRC
      0xf0,
      0x0e,
      ...offByOne(button, 1),
      0xf7, // … and with the level flipped
      0xf0,
      0x0d,
      ...offByOne(badge, 4),
      0xf7, // NFC_UID with one id byte off
      0xf0,
      0x0d,
      ...badge.slice(0, 6),
      0xf7, // … and cut short
      0xf0,
      0x0e,
      ...button.slice(0, 2),
      0x92,
      0x00,
      0x00, // a press report broken by another message
    ]),
    toBoard: Buffer.from([
      0xf4,
      22,
      0x01,
      0xf4,
      27,
      0x00, // SET_PIN_MODE: button pins to OUTPUT, to plain INPUT
      0xf5,
      22,
      0x00,
      0x92,
      0x00,
      0x00,
      0x93,
      0x00,
      0x00, // drive button pins low, by pin and by port
      0xd2,
      0x00,
      0xd3,
      0x00, // stop port reports
      0xff, // SYSTEM_RESET
    ]),
    reader: Buffer.concat([badSum, frame.subarray(0, 7), Buffer.from('\x02ZZZZZZZZZZZZ\x03', 'latin1'), frame.subarray(1)]),
  };
}

describe('noise on the NFC line and the panel line', () => {
  const rig = new PanelRig({ dir: mkdtempSync(join(tmpdir(), 'hcp-noise-')), heartbeatMs: 1000 });
  const ratings = () => readDeviceRecords(rig.dataDir).filter((r) => r.kind === 'rating');
  const random = bytesFrom(20261125);

  /**
   * `bursts` bursts of noise on all three lines, one every 50 ms of the panel's time: the same noise,
   * as spread out, however loaded the host is.
   */
  async function noise(bursts: number): Promise<void> {
    const d = deceptions();
    for (let i = 0; i < bursts; i++) {
      const burst = 16 + (i % 48);
      await rig.panel.readerBytes(i % 5 === 0 ? d.reader : random(burst));
      await rig.panel.hostBytes(i % 7 === 0 ? d.toHost : random(burst));
      await rig.panel.boardBytes(i % 9 === 0 ? d.toBoard : random(burst));
      await rig.panel.wait(50);
    }
  }

  beforeAll(() => rig.start());
  afterAll(() => rig.stop());

  it('while armed: no phantom rating, no phantom logout; then a real press rates once', async () => {
    expect(await rig.tapBadge()).toBe(true);
    expect(await rig.pleaseRate()).toBe(true);

    await noise(100);
    await rig.panel.wait(1000); // the firmware has taken in all of it

    const nothingHappened = () => {
      expect(rig.staffOnDuty()).toBe(true);
      expect(countEvents(rig.dataDir, 'staff-login')).toBe(1);
      expect(countEvents(rig.dataDir, 'staff-logout')).toBe(0);
      expect(countEvents(rig.dataDir, 'press-not-armed')).toBe(0);
    };
    expect(ratings()).toHaveLength(0);
    expect(rig.armed()).toBe(true);
    nothingHappened();

    // The link may have restarted under the noise: wait for it, then the next real press rates.
    expect(await waitUntil(() => rig.panelConnected(), 10_000)).toBe(true);
    const commit = await rig.rate(4, 5000);
    expect(commit?.level).toBe(4);
    // The press came the same way as anything the noise set off, behind it: by now that has
    // arrived too, however slow the host. Still only the real press's rating.
    expect(ratings().map((r) => r.kind === 'rating' && r.level)).toEqual([4]);
    nothingHappened();
  });

  it('while nobody is logged in: no phantom login; then a real tap logs in once', async () => {
    expect(await rig.tapBadge()).toBe(true);
    expect(rig.staffOnDuty()).toBe(false);

    await noise(80);
    await rig.panel.wait(1000);

    expect(rig.staffOnDuty()).toBe(false);
    expect(countEvents(rig.dataDir, 'staff-login')).toBe(1);
    expect(countEvents(rig.dataDir, 'unknown-badge')).toBe(0);
    expect(ratings()).toHaveLength(1);

    expect(await waitUntil(() => rig.panelConnected(), 10_000)).toBe(true);
    expect(await rig.tapBadge()).toBe(true);
    // The tap came behind anything the noise set off: a phantom login before it would have made
    // this tap a logout.
    expect(rig.staffOnDuty()).toBe(true);
    expect(countEvents(rig.dataDir, 'staff-login')).toBe(2);
    expect(countEvents(rig.dataDir, 'staff-logout')).toBe(1);
    expect(countEvents(rig.dataDir, 'unknown-badge')).toBe(0);
    expect(ratings()).toHaveLength(1);
  });
});
