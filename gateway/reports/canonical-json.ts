/**
 * Canonical JSON for hashing snapshots (RULES.md R15): object keys in code-point order, no spaces,
 * numbers as JavaScript prints them (the shortest round-trip form, the same on every machine), no
 * `undefined`. The same value always gives the same bytes, so the same SHA-256.
 */
import { createHash } from 'node:crypto';

/** The canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: a number that is not finite has no JSON form');
    if (value === undefined) throw new Error('canonicalJson: undefined has no JSON form');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** SHA-256 of a text's UTF-8 bytes, as lowercase hex. */
export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
