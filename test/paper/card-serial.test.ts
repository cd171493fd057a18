/**
 * The card serial's check character (gateway/paper/card-serial.ts) catches what staff get wrong when
 * they type a card's number by hand, and the entry screen reads the number however it arrives:
 * typed with or without hyphens, in lower case, with O for 0 and I or L for 1, or scanned from
 * either QR code a card can carry.
 */
import { describe, expect, it } from 'vitest';
import { SERIAL_ALPHABET, cardQrText, checkCharacter, formatSerial, newSerial, readSerial } from '../../gateway/paper/card-serial.js';

const serials = Array.from({ length: 300 }, () => newSerial());

describe('card serials', () => {
  it('are 11 characters of the serial alphabet, printed 4-4-3, and read back as printed', () => {
    for (const s of serials) {
      expect(s).toMatch(/^[0-9A-HJKMNP-TV-Z]{11}$/);
      expect(formatSerial(s)).toMatch(/^.{4}-.{4}-.{3}$/);
      expect(readSerial(formatSerial(s))).toEqual({ ok: true, serial: s, windowId: null });
    }
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('every single mistyped character is refused as a bad check character', () => {
    let tried = 0;
    for (const s of serials.slice(0, 60)) {
      for (let i = 0; i < s.length; i++) {
        for (const c of SERIAL_ALPHABET) {
          if (c === s[i]) continue;
          const typo = s.slice(0, i) + c + s.slice(i + 1);
          expect(readSerial(typo), typo).toMatchObject({ ok: false, why: 'bad-check' });
          tried++;
        }
      }
    }
    expect(tried).toBe(60 * 11 * 31);
  });

  it('most swaps of two neighbouring characters are refused (Luhn mod 32 misses only a few pairs)', () => {
    let swaps = 0;
    let caught = 0;
    for (const s of serials) {
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] === s[i + 1]) continue;
        const swapped = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
        swaps++;
        if (!readSerial(swapped).ok) caught++;
      }
    }
    expect(caught / swaps).toBeGreaterThan(0.95);
  });

  it('reads what staff type and what a scanner sends', () => {
    // Copied by hand: I and L for 1, O for 0, lower case, spaces, hyphens and an underscore.
    const check = checkCharacter('011100ABCD');
    const typed = ` 0i1l - 0OAB_CD${check.toLowerCase()} `;
    expect(readSerial(typed)).toEqual({ ok: true, serial: `011100ABCD${check}`, windowId: null });
    const one = newSerial();
    expect(readSerial(cardQrText(one, 'w-01', undefined))).toEqual({ ok: true, serial: one, windowId: null });
    expect(readSerial(cardQrText(one, 'w 01', 'https://hall.example.cn/'))).toEqual({ ok: true, serial: one, windowId: 'w 01' });
    expect(cardQrText(one, 'w-01', 'https://hall.example.cn/')).toBe(`https://hall.example.cn/w/w-01?card=${one}`);
    expect(readSerial('12345')).toMatchObject({ ok: false, why: 'malformed' });
    expect(readSerial('https://hall.example.cn/other?x=1')).toMatchObject({ ok: false, why: 'malformed' });
  });
});
