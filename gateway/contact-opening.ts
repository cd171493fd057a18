/**
 * Opening a rater's sealed call-back contact: a gateway job (the device can only seal). Two halves,
 * so that a follow-up can keep the key of one contact without keeping the hall key
 * (gateway/contact-key.ts): `openingKeyOf` derives the AES key that opens this one seal (X25519
 * agreement with its ephemeral key, then HKDF, @hcp/contract/contact-seal); `openWithKey` opens
 * it. Only the follow-up's audited route (gateway/followup/contact-escrow.ts) opens a contact.
 */
import { createDecipheriv, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { SealedContact } from '@hcp/contract';
import { deriveContactKey } from '@hcp/contract/contact-seal';

/** The AES-256 key of this one seal: it opens nothing else. */
export function openingKeyOf(sealed: SealedContact, hallPrivateKey: KeyObject): Buffer {
  const epkDer = Buffer.from(sealed.epk, 'base64');
  const epk = createPublicKey({ key: epkDer, format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: hallPrivateKey, publicKey: epk });
  return deriveContactKey(shared, epkDer);
}

/** The contact, given its seal's own key; throws if the key or the seal is wrong. */
export function openWithKey(sealed: SealedContact, key: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
}

export function openContact(sealed: SealedContact, hallPrivateKey: KeyObject): string {
  return openWithKey(sealed, openingKeyOf(sealed, hallPrivateKey));
}
