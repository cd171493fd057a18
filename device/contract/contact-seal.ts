/**
 * The sealed call-back contact's key derivation (R10), shared by the two ends of the seal: the
 * device seals a consenting rater's number to the hall's X25519 key (device/store/contact-seal.ts),
 * only the gateway opens it (gateway/contact-opening.ts). ECDH with an ephemeral key, then
 * HKDF-SHA256 salted with the ephemeral public key; AES-256-GCM with the derived key.
 * Node-only (node:crypto).
 */
import { hkdfSync } from 'node:crypto';

/** Bound into every derived key: a key made for another purpose cannot open a contact. */
export const CONTACT_SEAL_INFO = 'hcp-contact-v1';

export function deriveContactKey(shared: Buffer, ephemeralSpkiDer: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, ephemeralSpkiDer, Buffer.from(CONTACT_SEAL_INFO), 32));
}
