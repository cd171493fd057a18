/**
 * The hcp-panel firmware's NFC_UID sysex (0x0D), sent once per tap (the firmware de-duplicates a
 * held card): payload = reader type (0x01 = EM4100), then each id byte as two 7-bit bytes (low 7
 * bits, then the high bit), the Firmata convention for 8-bit data in sysex.
 */
export const NFC_UID_SYSEX = 0x0d;
export const READER_EM4100 = 0x01;

const ID_BYTES: Record<number, number> = { [READER_EM4100]: 5 };

/** Decode the payload (bytes between the command byte and END_SYSEX); a string problem if malformed. */
export function decodeNfcUid(payload: ArrayLike<number>): { uid: string } | { problem: string } {
  const type = payload[0];
  if (type === undefined) return { problem: 'empty NFC_UID payload' };
  const expected = ID_BYTES[type];
  if (expected === undefined) return { problem: `unknown reader type 0x${type.toString(16)}` };
  if (payload.length !== 1 + expected * 2) return { problem: `reader type ${type} needs ${expected} id bytes, got ${(payload.length - 1) / 2}` };
  const id = Buffer.alloc(expected);
  for (let i = 0; i < expected; i++) {
    const lo = payload[1 + i * 2]!;
    const hi = payload[2 + i * 2]!;
    if (lo > 0x7f || hi > 0x01) return { problem: 'NFC_UID byte out of 7-bit range' };
    id[i] = lo | (hi << 7);
  }
  return { uid: id.toString('hex').toUpperCase() };
}

/** Encode as the firmware does (tests). */
export function encodeNfcUid(uidHex: string, type = READER_EM4100): number[] {
  const bytes = [...Buffer.from(uidHex, 'hex')];
  return [type, ...bytes.flatMap((b) => [b & 0x7f, b >> 7])];
}
