/**
 * The kiosk shell's config (a JSON file, `--config` or HCP_KIOSK_CONFIG), validated once at start.
 * The local API token is read from the device runtime's data dir at every (re)load: it changes
 * every boot of the runtime.
 */
import { readFileSync } from 'node:fs';
import { scryptSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const KioskConfigSchema = z.object({
  /** The device runtime's local API origin, loopback only. */
  localApi: z.string().regex(/^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}$/, 'localApi must be http://127.0.0.1:PORT'),
  /** The runtime writes its per-boot token here (dataDir/local-api.token). */
  tokenFile: z.string().min(1),
  /** Hall-IT exit PIN as `scrypt:<salt hex>:<hash hex>` (make one with `tsx electron-app/main/pin-hash.ts <PIN>`). */
  exitPinHash: z.string().regex(/^scrypt:[0-9a-f]{16,}:[0-9a-f]{64}$/, 'exitPinHash must be scrypt:<salt>:<hash>'),
});
export type KioskConfig = z.infer<typeof KioskConfigSchema>;

export function loadKioskConfig(file: string): KioskConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(
      `kiosk config ${file}: ${e.code === 'ENOENT' ? 'no such file (pass --config <file> or set HCP_KIOSK_CONFIG)' : e.code ? `cannot read it (${e.code})` : `not JSON (${e.message})`}`,
    );
  }
  const parsed = KioskConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`kiosk config ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function hashPin(pin: string, saltHex: string): string {
  return `scrypt:${saltHex}:${scryptSync(pin, Buffer.from(saltHex, 'hex'), 32).toString('hex')}`;
}

export function pinMatches(pin: string, stored: string): boolean {
  const [, salt, hash] = stored.split(':');
  if (!salt || !hash || !/^\d{4,12}$/.test(pin)) return false;
  const given = scryptSync(pin, Buffer.from(salt, 'hex'), 32);
  return timingSafeEqual(given, Buffer.from(hash, 'hex'));
}
