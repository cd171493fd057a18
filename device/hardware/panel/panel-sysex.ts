/**
 * The hcp-panel firmware's own sysex messages (hardware/firmware/panel-protocol.h). Firmata has no
 * check on the link, so each carries a CRC-7 over the command byte and the payload: a byte lost or
 * garbled on the USB line can never become a badge or a press the panel did not see.
 *
 *   NFC_UID      0x0D  reader type (0x01 = EM4100), id bytes as 7-bit pairs (low 7 bits, high bit), crc
 *   BUTTON_EVENT 0x0E  pin, level (0 = pressed: buttons pull to ground), seq (0-127), crc
 *
 * Payloads here are the bytes after the command byte, up to END_SYSEX (firmata.js's sysexResponse).
 */
export const NFC_UID_SYSEX = 0x0d;
export const BUTTON_EVENT_SYSEX = 0x0e;
export const READER_EM4100 = 0x01;

const ID_BYTES: Record<number, number> = { [READER_EM4100]: 5 };

/** CRC-7, polynomial x^7 + x^3 + 1 (as SD cards use it); a 7-bit value that fits a sysex byte. */
export function crc7(bytes: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const top = (crc >> 6) & 1;
      crc = (crc << 1) & 0x7f;
      if ((((bytes[i]! >> bit) & 1) ^ top) === 1) crc ^= 0x09;
    }
  }
  return crc;
}

type Decoded<T> = T | { problem: string };

/** Split off and check the trailing CRC; the body without it, or the problem. */
function checked(command: number, payload: ArrayLike<number>): Decoded<{ body: number[] }> {
  const bytes = Array.from(payload);
  if (bytes.length < 1) return { problem: 'empty payload' };
  if (bytes.some((b) => b > 0x7f)) return { problem: 'byte out of 7-bit range' };
  const body = bytes.slice(0, -1);
  if (crc7([command, ...body]) !== bytes.at(-1)) return { problem: 'bad CRC' };
  return { body };
}

/** Decode an NFC_UID payload; the id as upper-case hex, or what is wrong with it. */
export function decodeNfcUid(payload: ArrayLike<number>): Decoded<{ uid: string }> {
  const c = checked(NFC_UID_SYSEX, payload);
  if ('problem' in c) return { problem: `NFC_UID: ${c.problem}` };
  const [type, ...pairs] = c.body;
  const expected = type === undefined ? undefined : ID_BYTES[type];
  if (expected === undefined) return { problem: `NFC_UID: unknown reader type ${type}` };
  if (pairs.length !== expected * 2) return { problem: `NFC_UID: reader type ${type} needs ${expected} id bytes, got ${pairs.length / 2}` };
  const id = Buffer.alloc(expected);
  for (let i = 0; i < expected; i++) {
    const hi = pairs[i * 2 + 1]!;
    if (hi > 1) return { problem: 'NFC_UID: high bit pair out of range' };
    id[i] = pairs[i * 2]! | (hi << 7);
  }
  return { uid: id.toString('hex').toUpperCase() };
}

export interface ButtonEdge {
  pin: number;
  /** The pin's level: 0 = pressed. */
  level: 0 | 1;
  seq: number;
}

/** Decode a BUTTON_EVENT payload, or say what is wrong with it. */
export function decodeButtonEvent(payload: ArrayLike<number>): Decoded<ButtonEdge> {
  const c = checked(BUTTON_EVENT_SYSEX, payload);
  if ('problem' in c) return { problem: `BUTTON_EVENT: ${c.problem}` };
  if (c.body.length !== 3) return { problem: `BUTTON_EVENT: needs 3 bytes before the CRC, got ${c.body.length}` };
  const [pin, level, seq] = c.body as [number, number, number];
  if (level > 1) return { problem: `BUTTON_EVENT: level ${level} is not 0 or 1` };
  return { pin, level: level as 0 | 1, seq };
}

/** Encode as the firmware does (tests, and the diagnosis of a captured stream). */
export function encodeNfcUid(uidHex: string, type = READER_EM4100): number[] {
  const body = [type, ...[...Buffer.from(uidHex, 'hex')].flatMap((b) => [b & 0x7f, b >> 7])];
  return [...body, crc7([NFC_UID_SYSEX, ...body])];
}

export function encodeButtonEvent(e: ButtonEdge): number[] {
  const body = [e.pin, e.level, e.seq & 0x7f];
  return [...body, crc7([BUTTON_EVENT_SYSEX, ...body])];
}
