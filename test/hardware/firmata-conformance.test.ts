/**
 * The hcp-panel firmware held to the Firmata protocol (2.6) and to its own sysex, in simavr, by a
 * plain Firmata client (firmata.js): what any Firmata tool would see when hall IT diagnoses a
 * panel. And the panel's refusals: a button pin never becomes an output or loses its pull-up,
 * whatever the host (or noise on the line) asks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUTTON_EVENT_SYSEX, decodeButtonEvent, decodeNfcUid, NFC_UID_SYSEX } from '../../device/hardware/panel/panel-sysex.js';
import { encodeFrame } from '../../device/hardware/nfc/rdm6300-framer.js';
import { waitUntil } from '../../scripts/lib/panel-rig.js';
import { VirtualPanel } from '../../hardware/virtual-panel.js';
import { caughtUp, openFirmata, writeRaw, type FirmataSession } from './firmata-session.js';

const INPUT = 0x00;
const OUTPUT = 0x01;
const PULLUP = 0x0b;
const BUTTONS = [22, 23, 24, 25, 26, 27];
const LEDS = [30, 31, 32, 33, 34, 35];
const BADGE = '0A1B2C3D4E';

describe('hcp-panel speaks Firmata 2.6 (firmata.js as the diagnosing tool)', () => {
  const panel = new VirtualPanel();
  let s: FirmataSession;
  const buttonEvents = () => s.sysex.get(BUTTON_EVENT_SYSEX)!.map(decodeButtonEvent);
  const badges = () => s.sysex.get(NFC_UID_SYSEX)!.map(decodeNfcUid);
  /**
   * `ms` of the panel's own time, then everything the board sent meanwhile read: only after that
   * does "nothing came" mean something. (Simulated time: on a loaded host the simulator runs
   * behind the wall clock, and a wall-clock sleep can end before the firmware got there.)
   */
  const quiet = async (ms: number) => {
    await panel.wait(ms);
    await caughtUp(s);
  };

  beforeAll(async () => {
    await panel.start();
    s = await openFirmata(panel.pty!, [BUTTON_EVENT_SYSEX, NFC_UID_SYSEX]);
  });
  afterAll(async () => {
    await s?.close();
    await panel.stop();
  });

  it('answers the version, firmware, capability and analog-mapping queries', () => {
    expect(s.io.version).toMatchObject({ major: 2, minor: 6 });
    expect(s.io.firmware).toMatchObject({ name: 'hcp-panel', version: { major: 1, minor: 0 } });
    expect(s.io.pins).toHaveLength(70);
    for (const pin of BUTTONS) expect(s.io.pins[pin]!.supportedModes, `button pin ${pin}`).toEqual([INPUT, PULLUP]);
    for (const pin of [...LEDS, 9, 13]) expect(s.io.pins[pin]!.supportedModes, `output pin ${pin}`).toEqual([OUTPUT]);
    const used = new Set([...BUTTONS, ...LEDS, 9, 13]);
    for (let pin = 0; pin < 70; pin++) if (!used.has(pin)) expect(s.io.pins[pin]!.supportedModes, `unused pin ${pin}`).toEqual([]);
    expect(s.io.analogPins).toEqual([]);
  });

  it('drives an LED and reports its state; refuses to make a button pin an output', async () => {
    s.io.pinMode(30, OUTPUT);
    s.io.digitalWrite(30, 1);
    expect(await waitUntil(() => panel.output('led5') === 1, 2000)).toBe(true);
    await new Promise<void>((res) => s.io.queryPinState(30, res));
    expect(s.io.pins[30]).toMatchObject({ mode: OUTPUT, state: 1 });
    s.io.digitalWrite(30, 0);
    expect(await waitUntil(() => panel.output('led5') === 0, 2000)).toBe(true);

    s.io.pinMode(22, OUTPUT);
    expect(await waitUntil(() => s.strings.includes('refused mode 22 1'), 2000)).toBe(true);
    await new Promise<void>((res) => s.io.queryPinState(22, res));
    expect(s.io.pins[22]).toMatchObject({ mode: PULLUP, state: 1 });
  });

  it('reports a port on request and on each debounced edge, and every edge as a checked BUTTON_EVENT', async () => {
    s.io.pinMode(22, PULLUP);
    const reads: number[] = [];
    s.io.digitalRead(22, (v) => reads.push(v));
    expect(await waitUntil(() => s.io.pins[22]!.value === 1, 2000)).toBe(true);
    const before = s.sysex.get(BUTTON_EVENT_SYSEX)!.length;
    await panel.press('5', 60);
    expect(await waitUntil(() => reads.includes(0) && reads.at(-1) === 1, 2000)).toBe(true);
    const edges = buttonEvents().slice(before);
    expect(edges.map((e) => ('pin' in e ? [e.pin, e.level] : e))).toEqual([
      [22, 0],
      [22, 1],
    ]);
  });

  it('a contact that bounces for 3 ms is no press; one held past the debounce time is one', async () => {
    const before = s.sysex.get(BUTTON_EVENT_SYSEX)!.length;
    // Five closures of 0.4 ms, 0.25 ms apart, played in the panel's time (one script): the contact
    // chatters for 3 ms and ends open, never closed for the 5 ms debounce time. Sent one command at a
    // time, the closures' spacing was the round trip to this process: on a loaded host they ran
    // together into one long closure, and the firmware rightly saw a press (issue 10).
    const chatter = Array.from({ length: 5 }, (_, i) => [...(i ? ['wait 0.25'] : []), 'down 4', 'wait 0.4', 'up 4']).flat();
    await panel.script(chatter);
    await quiet(50);
    expect(s.sysex.get(BUTTON_EVENT_SYSEX)!.length).toBe(before);
    await panel.press('4', 40);
    expect(await waitUntil(() => s.sysex.get(BUTTON_EVENT_SYSEX)!.length === before + 2, 2000)).toBe(true);
  });

  it('a badge held on the reader is one NFC_UID; lifted and tapped again, another', async () => {
    await panel.card(BADGE, 1500);
    await quiet(1500 + 700); // held, then away longer than the firmware's removal time
    expect(badges()).toEqual([{ uid: BADGE }]);
    await panel.card(BADGE, 250);
    expect(await waitUntil(() => badges().length === 2, 2000)).toBe(true);
  });

  it('reader noise, bad checksums, cut and non-hex frames are dropped; the next good frame reads', async () => {
    await panel.wait(700); // the last card is gone
    const good = encodeFrame(BADGE);
    const badSum = Buffer.from(good);
    badSum[12] = badSum[12] === 0x30 ? 0x31 : 0x30;
    const nonHex = Buffer.from(good);
    nonHex[4] = 0x47; // 'G'
    const noise = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 73 + 11) & 0xff));
    await panel.readerBytes(Buffer.concat([noise, badSum, good.subarray(0, 9), nonHex, good.subarray(3), Buffer.from([0x03, 0x02, 0x02])]));
    await quiet(800);
    expect(badges()).toHaveLength(2);
    await panel.card(BADGE, 150);
    expect(await waitUntil(() => badges().length === 3, 2000)).toBe(true);
  });

  it('survives malformed messages: a command cut short, an overlong sysex, stray data bytes', async () => {
    const versions: number[] = [];
    // SET_PIN_MODE cut short by SET_DIGITAL_PIN_VALUE (LED on), an 80-byte sysex, stray data, then a version query.
    await writeRaw(s, [0xf4, 31, 0xf5, 31, 1, 0xf0, 0x79, ...Array.from({ length: 80 }, () => 0x11), 0xf7, 0x05, 0x06]);
    s.io.reportVersion(() => versions.push(1));
    expect(await waitUntil(() => versions.length === 1, 2000)).toBe(true);
    s.io.pinMode(31, OUTPUT);
    s.io.digitalWrite(31, 1);
    expect(await waitUntil(() => panel.output('led4') === 1, 2000)).toBe(true);
  });

  it('SYSTEM_RESET while a badge rests on the reader is not a second tap', async () => {
    await panel.wait(1000); // the last card (150 ms) is gone: its 600 ms removal time has passed
    const before = badges().length;
    await panel.card(BADGE, 900);
    expect(await waitUntil(() => badges().length === before + 1, 2000)).toBe(true);
    s.io.reset();
    await quiet(1300); // the rest of the 900 ms, and the removal time after it
    expect(badges()).toHaveLength(before + 1);
  });

  it('SYSTEM_RESET puts the outputs out and stops port reports, but every button edge is still reported', async () => {
    s.io.pinMode(31, OUTPUT);
    s.io.digitalWrite(31, 1);
    expect(await waitUntil(() => panel.output('led4') === 1, 2000)).toBe(true);
    s.io.reset();
    expect(await waitUntil(() => panel.output('led4') === 0, 2000)).toBe(true);
    const before = s.sysex.get(BUTTON_EVENT_SYSEX)!.length;
    await panel.press('rate', 40);
    expect(await waitUntil(() => s.sysex.get(BUTTON_EVENT_SYSEX)!.length === before + 2, 2000)).toBe(true);
    expect(
      buttonEvents()
        .slice(before)
        .every((e) => 'pin' in e && e.pin === 27),
    ).toBe(true);
  });
});

describe('a plain Mega with stock StandardFirmata runs on the same virtual panel', () => {
  it('handshakes and drives the LEDs', async () => {
    const panel = new VirtualPanel({ firmware: 'standard-firmata' });
    await panel.start();
    const s = await openFirmata(panel.pty!);
    try {
      expect(s.io.firmware.name).toBe('StandardFirmata.ino');
      s.io.pinMode(35, OUTPUT);
      s.io.digitalWrite(35, 1);
      expect(await waitUntil(() => panel.output('led-rate') === 1, 3000)).toBe(true);
    } finally {
      await s.close();
      await panel.stop();
    }
  });
});
