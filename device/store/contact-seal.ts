/**
 * Sealing a rater's call-back number to the hall's contact key (R10): ephemeral X25519 key
 * agreement, HKDF-SHA256, AES-256-GCM. The device keeps only the sealed form, so neither the local
 * UI API nor anyone at the window can read it back; the gateway's hall key opens it for the
 * manager who makes the call-back.
 */
import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { SealedContact } from '../contract/index.js';

const INFO = Buffer.from('hcp-contact-v1');

function deriveKey(shared: Buffer, epkDer: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, epkDer, INFO, 32));
}

export function sealContact(plain: string, hall: { keyId: string; publicKeyPem: string }): SealedContact {
  const hallKey = createPublicKey(hall.publicKeyPem);
  const eph = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: hallKey });
  const epkDer = eph.publicKey.export({ type: 'spki', format: 'der' });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(shared, epkDer), iv);
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

/** Gateway side: open a sealed contact with the hall's private X25519 key. */
export function openContact(sealed: SealedContact, hallPrivateKey: KeyObject): string {
  const epkDer = Buffer.from(sealed.epk, 'base64');
  const epk = createPublicKey({ key: epkDer, format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: hallPrivateKey, publicKey: epk });
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(shared, epkDer), Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
}
