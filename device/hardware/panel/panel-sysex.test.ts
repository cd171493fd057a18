import { describe, expect, it } from 'vitest';
import { crc7, decodeButtonEvent, decodeNfcUid, encodeButtonEvent, encodeNfcUid } from './panel-sysex.js';

describe('CRC-7', () => {
  it('matches the SD card check values', () => {
    // CMD0 (GO_IDLE_STATE) and CMD8 with argument 0x1AA, as the SD specification gives them.
    expect(crc7([0x40, 0, 0, 0, 0])).toBe(0x4a);
    expect(crc7([0x48, 0, 0, 0x01, 0xaa])).toBe(0x43);
  });
});

describe('NFC_UID sysex', () => {
  it('round-trips a 5-byte EM4100 id through 7-bit pairs and a CRC', () => {
    const payload = encodeNfcUid('0AFF80007F');
    expect(payload.slice(0, -1)).toEqual([0x01, 0x0a, 0, 0x7f, 1, 0x00, 1, 0x00, 0, 0x7f, 0]);
    expect(decodeNfcUid(payload)).toEqual({ uid: '0AFF80007F' });
  });

  it('refuses a changed byte, wrong lengths, unknown readers and out-of-range bytes', () => {
    const good = encodeNfcUid('0A1B2C3D4E');
    for (let i = 0; i < good.length; i++) {
      const bad = [...good];
      bad[i] = (bad[i]! + 1) & 0x7f;
      expect(decodeNfcUid(bad), `byte ${i} changed`).toHaveProperty('problem');
    }
    expect(decodeNfcUid([])).toHaveProperty('problem');
    expect(decodeNfcUid(good.slice(0, 5))).toHaveProperty('problem');
    expect(decodeNfcUid([0x05, ...good.slice(1)])).toHaveProperty('problem');
    expect(decodeNfcUid([...good.slice(0, 2), 0x80, ...good.slice(3)])).toHaveProperty('problem');
  });
});

describe('BUTTON_EVENT sysex', () => {
  it('round-trips pin, level and sequence', () => {
    expect(decodeButtonEvent(encodeButtonEvent({ pin: 22, level: 0, seq: 127 }))).toEqual({ pin: 22, level: 0, seq: 127 });
  });

  it('refuses any single changed byte, a level other than 0/1, and a short payload', () => {
    const good = encodeButtonEvent({ pin: 26, level: 1, seq: 9 });
    for (let i = 0; i < good.length; i++) {
      const bad = [...good];
      bad[i] = bad[i]! ^ 0x10;
      expect(decodeButtonEvent(bad), `byte ${i} changed`).toHaveProperty('problem');
    }
    const body = [22, 2, 0];
    expect(decodeButtonEvent([...body, crc7([0x0e, ...body])])).toHaveProperty('problem');
    expect(decodeButtonEvent([22, 0])).toHaveProperty('problem');
  });
});
