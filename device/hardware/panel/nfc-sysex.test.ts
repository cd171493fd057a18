import { describe, expect, it } from 'vitest';
import { decodeNfcUid, encodeNfcUid } from './nfc-sysex.js';

describe('NFC_UID sysex', () => {
  it('round-trips a 5-byte EM4100 id through 7-bit pairs', () => {
    const payload = encodeNfcUid('0AFF80007F');
    expect(payload).toEqual([0x01, 0x0a, 0, 0x7f, 1, 0x00, 1, 0x00, 0, 0x7f, 0]);
    expect(decodeNfcUid(payload)).toEqual({ uid: '0AFF80007F' });
  });

  it('refuses wrong lengths, unknown readers and out-of-range bytes', () => {
    expect(decodeNfcUid([])).toHaveProperty('problem');
    expect(decodeNfcUid([0x01, 1, 0, 2, 0])).toHaveProperty('problem');
    expect(decodeNfcUid([0x05, ...encodeNfcUid('0A1B2C3D4E').slice(1)])).toHaveProperty('problem');
    const bad = encodeNfcUid('0A1B2C3D4E');
    bad[2] = 3;
    expect(decodeNfcUid(bad)).toHaveProperty('problem');
  });
});
