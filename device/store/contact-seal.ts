/**
 * Sealing a rater's call-back number to the hall's contact key (R10): ephemeral X25519 key
 * agreement, HKDF-SHA256, AES-256-GCM (@hcp/contract contact-seal.ts). The device keeps only the
 * sealed form and cannot open it: neither the local UI API nor anyone at the window can read it
 * back. Opening is the gateway's job (gateway/contact-opening.ts).
 */
import { createCipheriv, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { deriveContactKey } from '../contract/contact-seal.js';
import type { SealedContact } from '../contract/index.js';

export function sealContact(plain: string, hall: { keyId: string; publicKeyPem: string }): SealedContact {
  const hallKey = createPublicKey(hall.publicKeyPem);
  const eph = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: hallKey });
  const epkDer = eph.publicKey.export({ type: 'spki', format: 'der' });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveContactKey(shared, epkDer), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    alg: 'x25519-aes256gcm',
    keyId: hall.keyId,
    epk: epkDer.toString('base64'),
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}
