/**
 * Text people type into a follow-up (notes, reasons, grounds, the action taken, file names). It is
 * shown to everyone who reads the follow-up, kept for ever (events are append-only) and the action
 * taken goes to the province, so it must not become a second, unsealed copy of a rater's number
 * (R10): a run of 11 or more digits — a mobile number, or a landline with its area code, however
 * spaced or hyphenated — is refused, and the message says why.
 */
import { z } from 'zod';

/** Digits with single spaces, hyphens or dots between them, as people write phone numbers. */
const DIGIT_RUN = /\d(?:[\s\-.]?\d){10,}/;

export function looksLikePhoneNumber(text: string): boolean {
  return DIGIT_RUN.test(text.replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)));
}

const NO_NUMBER = "must not hold a phone number (RULES.md R10: the rater's number stays sealed; write 已电话联系, not the number)";

/** Free text of at most `max` characters, with no phone number in it. */
export function freeText(max: number, min = 1) {
  return z
    .string()
    .trim()
    .min(min, min > 1 ? `write at least ${min} characters` : 'must not be empty')
    .max(max)
    .refine((t) => !looksLikePhoneNumber(t), NO_NUMBER);
}
