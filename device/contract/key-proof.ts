/**
 * How a device proves, each time it connects, that it holds the key it enrolled with (a password
 * alone is not enough: a copied password must not take over the device's session). The device
 * asks the gateway for a one-time nonce over HTTPS (`POST /api/devices/{id}/nonce`), signs
 * `mqttProofText(id, nonce)` with its Ed25519 key, and connects with the MQTT password
 * `hcp-proof-1.<password>.<nonce>.<signature>`. The gateway checks all three before the
 * connection is accepted, so a clone is refused at the door and never kicks the device off.
 */
const PREFIX = 'hcp-proof-1';

export function mqttProofText(deviceId: string, nonce: string): string {
  return `hcp-mqtt-1:${deviceId}:${nonce}`;
}

export function composeProofPassword(password: string, nonce: string, signatureBase64: string): string {
  return [PREFIX, password, nonce, signatureBase64].join('.');
}

/** The parts of a proof password, or null for a plain password. Passwords and nonces are base64url (no dots). */
export function parseProofPassword(value: string): { password: string; nonce: string; signature: string } | null {
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) return null;
  const [, password, nonce, signature] = parts as [string, string, string, string];
  return password && nonce && signature ? { password, nonce, signature } : null;
}
