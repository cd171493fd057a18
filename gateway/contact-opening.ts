/**
 * Opening a rater's sealed call-back contact: a gateway job (the device can only seal). The
 * follow-up of a 差评 (a later feature) calls this for the assigned handler only, and audits each
 * opening with its reason; nothing else in the gateway opens a contact.
 */
import { createDecipheriv, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { SealedContact } from '@hcp/contract';
import { deriveContactKey } from '@hcp/contract/contact-seal';

export function openContact(sealed: SealedContact, hallPrivateKey: KeyObject): string {
  const epkDer = Buffer.from(sealed.epk, 'base64');
  const epk = createPublicKey({ key: epkDer, format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: hallPrivateKey, publicKey: epk });
  const decipher = createDecipheriv('aes-256-gcm', deriveContactKey(shared, epkDer), Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
}
