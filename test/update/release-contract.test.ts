/** The release contract (@hcp/contract/release): signatures over the manifest's exact text, and version order. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ReleaseError, compareVersions, signRelease, verifySignedRelease, type ReleaseManifest } from '../../device/contract/release.js';

const hall = generateKeyPairSync('ed25519');
const vendor = generateKeyPairSync('ed25519');
const manifest: ReleaseManifest = {
  format: 'hcp-device-release-1',
  version: '0.2.0',
  sha256: 'a'.repeat(64),
  size: 1234,
  rollbackSafe: true,
  lockSha256: 'b'.repeat(64),
  bundlesNodeModules: false,
  builtAt: '2026-11-30T06:00:00.000Z',
};
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ReleaseError ? err.code : `not a ReleaseError: ${(err as Error).message}`;
  }
  return 'accepted';
};

describe('signed releases', () => {
  it('verifies with a trusted key, and refuses a changed manifest, an untrusted key and a borrowed key id', () => {
    const signed = signRelease(manifest, hall.privateKey, hall.publicKey);
    expect(verifySignedRelease(signed, [vendor.publicKey, hall.publicKey])).toEqual(manifest);
    expect(refusal(() => verifySignedRelease({ ...signed, manifest: signed.manifest.replace('1234', '1235') }, [hall.publicKey]))).toBe('bad-signature');
    expect(refusal(() => verifySignedRelease(signed, [vendor.publicKey]))).toBe('unknown-key');
    // A vendor signature presented under the hall key's id is still checked against the hall key.
    const forged = signRelease(manifest, vendor.privateKey, vendor.publicKey);
    expect(refusal(() => verifySignedRelease({ ...forged, keyId: signed.keyId }, [hall.publicKey]))).toBe('bad-signature');
    expect(refusal(() => verifySignedRelease({ manifest: '{}' }, [hall.publicKey]))).toBe('bad-format');
  });

  it('orders versions by number, a pre-release before its release', () => {
    expect(['0.10.0', '0.2.0', '0.2.0-rc.1', '1.0.0', '0.9.9'].sort(compareVersions)).toEqual(['0.2.0-rc.1', '0.2.0', '0.9.9', '0.10.0', '1.0.0']);
    expect(compareVersions('0.2.0', '0.2.0')).toBe(0);
  });
});
