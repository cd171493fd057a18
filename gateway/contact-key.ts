/**
 * The hall's X25519 key for call-back contacts (R10), made on first start. Devices get the public
 * half in their config and seal a consenting rater's number to it; only the gateway can open it,
 * in the follow-up of a 差评 (opening is audited; contact-opening.ts).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = 'hall-contact-key.pem';

export function loadContactPrivateKey(dataDir: string): KeyObject {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('x25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return createPrivateKey(readFileSync(file));
}

/** The public half and its id, as devices get it. */
export function loadContactKey(dataDir: string): { keyId: string; publicKeyPem: string } {
  const publicKeyPem = createPublicKey(loadContactPrivateKey(dataDir)).export({ type: 'spki', format: 'pem' }).toString();
  return { keyId: `hall-${publicKeyPem.slice(30, 42).replace(/[^A-Za-z0-9]/g, '')}`, publicKeyPem };
}
