/**
 * Request signing for the reference provincial interface: HMAC-SHA256 with a shared key over
 * `timestamp \n nonce \n body`. The timestamp bounds replay in time, the nonce within that window.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const SIGN_HEADERS = { appId: 'x-hcp-app-id', timestamp: 'x-hcp-timestamp', nonce: 'x-hcp-nonce', signature: 'x-hcp-signature' } as const;

export function signBody(key: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', key).update(`${timestamp}\n${nonce}\n${body}`).digest('hex');
}

export function signedHeaders(appId: string, key: string, body: string, now: number = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomUUID();
  return {
    'content-type': 'application/json',
    [SIGN_HEADERS.appId]: appId,
    [SIGN_HEADERS.timestamp]: timestamp,
    [SIGN_HEADERS.nonce]: nonce,
    [SIGN_HEADERS.signature]: signBody(key, timestamp, nonce, body),
  };
}

export function verifySignature(key: string, timestamp: string, nonce: string, body: string, signature: string): boolean {
  const want = Buffer.from(signBody(key, timestamp, nonce, body), 'hex');
  const got = Buffer.from(signature, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
