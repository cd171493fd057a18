/**
 * The device's Ed25519 signing key, created on first start. The private key never leaves the
 * device: it is written once, mode 0600, and only its public half is shared (enrolment).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export interface DeviceKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}

const KEY_FILE = 'device-key.pem';

export function loadOrCreateDeviceKey(dataDir: string): DeviceKey {
  const file = join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // Write to a temp file, fsync, rename: a power cut never leaves a half-written key.
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, pem, { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export function readDevicePublicKey(dataDir: string): KeyObject {
  return createPublicKey(createPrivateKey(readFileSync(join(dataDir, KEY_FILE))));
}
