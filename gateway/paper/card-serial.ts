/**
 * The serial number of a paper 评议卡 (RULES.md R6; docs/PAPER.md), and reading it back from what a
 * member of staff types or a scanner sends.
 *
 * A serial is 10 random characters of Crockford's base 32 (no I, L, O or U: nothing to confuse with
 * 1 or 0) and one check character, printed in groups, `7KQ4-M2XD-9RT`. Random, not counted up: the
 * rating goes to the province as `card-<serial>`, the province keeps one rating per id across every
 * hall, and a counter would start at 1 in each hall. 50 random bits make a clash between halls
 * unlikely (about 1 in 2 000 over a million cards); a clash within the hall is refused by the table.
 *
 * The check character is Luhn mod 32 over the same alphabet: it catches every single mistyped
 * character and most swaps of two neighbours, so a typo is refused at entry instead of entering
 * someone else's card.
 */
import { randomInt } from 'node:crypto';

export const SERIAL_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = SERIAL_ALPHABET.length;
export const SERIAL_DATA_LENGTH = 10;
export const SERIAL_LENGTH = SERIAL_DATA_LENGTH + 1;
/** The prefix of a card's QR code where the hall has no public address (docs/PAPER.md). */
export const CARD_QR_PREFIX = 'HCP-CARD:';

function value(ch: string): number {
  const v = SERIAL_ALPHABET.indexOf(ch);
  if (v < 0) throw new Error(`not a serial character: ${ch}`);
  return v;
}

/** Luhn mod N: the check character of `data`. */
export function checkCharacter(data: string): string {
  let sum = 0;
  let factor = 2;
  for (let i = data.length - 1; i >= 0; i--) {
    const addend = factor * value(data[i]!);
    sum += Math.floor(addend / N) + (addend % N);
    factor = factor === 2 ? 1 : 2;
  }
  return SERIAL_ALPHABET[(N - (sum % N)) % N]!;
}

/** A new serial (not yet known to be unused: the table's key decides). */
export function newSerial(): string {
  let data = '';
  for (let i = 0; i < SERIAL_DATA_LENGTH; i++) data += SERIAL_ALPHABET[randomInt(N)];
  return data + checkCharacter(data);
}

/** As printed and shown: `7KQ4-M2XD-9RT`. */
export function formatSerial(serial: string): string {
  return `${serial.slice(0, 4)}-${serial.slice(4, 8)}-${serial.slice(8)}`;
}

/**
 * What was typed, made a serial's characters: upper case, no spaces or hyphens, and the letters
 * Crockford reads as digits (I and L as 1, O as 0) — what staff copying a card by hand write.
 */
export function normaliseTyped(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s\-–—_.]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
}

export type SerialReading = { ok: true; serial: string; windowId: string | null } | { ok: false; why: 'malformed' | 'bad-check'; message: string };

/** The serial a card's QR code or its printed number gives. */
export function readSerial(input: string): SerialReading {
  const text = input.trim();
  let typed = text;
  let windowId: string | null = null;
  if (text.toUpperCase().startsWith(CARD_QR_PREFIX)) typed = text.slice(CARD_QR_PREFIX.length);
  else if (/^https?:\/\//i.test(text)) {
    // The phone address on a card: …/w/<windowId>?card=<serial>.
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, why: 'malformed', message: `${text.slice(0, 80)} is not a card's address` };
    }
    const card = url.searchParams.get('card');
    const w = /\/w\/([^/]+)$/.exec(url.pathname);
    if (!card || !w) return { ok: false, why: 'malformed', message: `${text.slice(0, 80)} is not a card's address (…/w/<window>?card=<serial>)` };
    typed = card;
    windowId = decodeURIComponent(w[1]!);
  }
  const serial = normaliseTyped(typed);
  if (serial.length !== SERIAL_LENGTH || [...serial].some((c) => !SERIAL_ALPHABET.includes(c))) {
    return { ok: false, why: 'malformed', message: `${typed.slice(0, 40)} is not a card serial: it has ${SERIAL_LENGTH} letters and digits, e.g. 7KQ4-M2XD-9RT` };
  }
  if (checkCharacter(serial.slice(0, SERIAL_DATA_LENGTH)) !== serial[SERIAL_DATA_LENGTH]) {
    return { ok: false, why: 'bad-check', message: `${formatSerial(serial)}: the check character does not match — a character was mistyped; compare with the card` };
  }
  return { ok: true, serial, windowId };
}

/** The assessment id of a card's rating, whether entered from paper or rated by phone (the phone page uses the same). */
export const cardAssessId = (serial: string) => `card-${serial}`;

/** What a card's QR code holds: the phone page where the hall has a public address, else the serial for the entry screen. */
export function cardQrText(serial: string, windowId: string, qrBaseUrl: string | undefined): string {
  if (!qrBaseUrl) return `${CARD_QR_PREFIX}${serial}`;
  return `${qrBaseUrl.replace(/\/+$/, '')}/w/${encodeURIComponent(windowId)}?card=${serial}`;
}
