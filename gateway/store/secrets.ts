/**
 * Hashing of secrets, and random secrets.
 * - A password a person chooses (console accounts) is hashed with scrypt, per-secret salt, stored
 *   as `scrypt$N$r$p$salt$hash` (base64): slow on purpose, so a stolen table cannot be guessed
 *   through quickly.
 * - A secret the gateway makes itself (`randomSecret`: a device's MQTT password, 192 bits; a
 *   business system's API key, 256) is hashed once with SHA-256, stored as `sha256$hash`. Nobody
 *   can guess through 2^192 values, however fast each guess is, so scrypt bought nothing there,
 *   and it cost each device's enrolment and each device's first login after a restart some 50 ms
 *   of CPU and a 16 MiB buffer: a thousand devices connecting at once is a thousand of those.
 * `verifySecretAsync` takes both forms (rows stored before SHA-256 was used stay scrypt).
 */
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;

/** For a password a person chose. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, 32, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** For a secret made by `randomSecret` (never for one a person chose). */
export function hashGeneratedSecret(secret: string): string {
  return `sha256$${sha256(secret).toString('base64')}`;
}

/** Whether a stored hash is the slow form, which a generated secret's row is moved off at its next good check. */
export function isSlowHash(stored: string): boolean {
  return stored.startsWith('scrypt$');
}

/** Checks a secret against either form; scrypt's off the event loop (libuv's pool): MQTT logins must not stall ingest. */
export function verifySecretAsync(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] === 'sha256' && parts[1]) return Promise.resolve(sameBytes(sha256(secret), Buffer.from(parts[1], 'base64')));
  const [alg, n, r, p, salt, hash] = parts;
  if (alg !== 'scrypt' || !salt || !hash) return Promise.resolve(false);
  const expected = Buffer.from(hash, 'base64');
  return new Promise((res) =>
    scrypt(secret, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) }, (err, got) => res(!err && sameBytes(got, expected))),
  );
}

function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Enrolment codes are typed by hall IT on the device: short, unambiguous, grouped. */
export function randomEnrolmentCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}
