/**
 * Device releases (issue 15, "Remote update of devices"): what hall IT uploads to the gateway and
 * what a device checks before it runs new code. A release is a tarball of the built device (the
 * `npm run build` output, its `package.json` stamped with the version) and a manifest signed with
 * the hall's (or vendor's) Ed25519 release key. The signature covers the manifest's exact text, so
 * nobody has to agree on a canonical JSON; the manifest names the tarball's sha256 and size, so the
 * signature vouches for every byte. Node only (node:crypto): imported as `@hcp/contract/release`.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** `1.2.3` or `1.2.3-rc.1`: compared by numbers, then a pre-release sorts before its release. */
export const ReleaseVersionSchema = z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}(-[0-9A-Za-z.-]{1,30})?$/, 'must be a version like 1.2.3 or 1.2.3-rc.1');

export const ReleaseManifestSchema = z
  .object({
    format: z.literal('hcp-device-release-1'),
    version: ReleaseVersionSchema,
    /** sha256 (hex) and size in bytes of the tarball. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
    size: z.number().int().min(1),
    /** The oldest running version that may update to this one (older ones must be updated by hand first). */
    minVersion: ReleaseVersionSchema.optional(),
    /**
     * false when this release's store migrations are not backward compatible (an older version
     * cannot run on the migrated store): a device then never rolls back past it once it has
     * migrated (docs/UPDATE.md "Rollback and the store").
     */
    rollbackSafe: z.boolean().default(true),
    /** sha256 of package-lock.json: a release without node_modules runs on the running version's. */
    lockSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Whether the tarball carries node_modules (needed when the dependencies changed). */
    bundlesNodeModules: z.boolean(),
    builtAt: z.string().datetime(),
    notes: z.string().max(2000).optional(),
  })
  .strict();
export type ReleaseManifest = z.infer<typeof ReleaseManifestSchema>;

/** The `.release.json` file beside the tarball: the manifest's exact text and its signature. */
export const SignedReleaseSchema = z
  .object({
    manifest: z.string().min(2).max(8000),
    /** Ed25519 over the UTF-8 bytes of `manifest`, base64. */
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 Ed25519 signature'),
    /** releaseKeyId() of the key that signed: says which key to check, proves nothing itself. */
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
  })
  .strict();
export type SignedRelease = z.infer<typeof SignedReleaseSchema>;

export class ReleaseError extends Error {
  constructor(
    readonly code: 'bad-format' | 'unknown-key' | 'bad-signature' | 'tampered' | 'too-old',
    message: string,
  ) {
    super(message);
  }
}

/** The first 16 hex digits of the sha256 of the public key's SPKI DER. */
export function releaseKeyId(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Sign a manifest with the release key (scripts/make-release.ts). */
export function signRelease(manifest: ReleaseManifest, privateKey: KeyObject, publicKey: KeyObject): SignedRelease {
  const text = JSON.stringify(ReleaseManifestSchema.parse(manifest), null, 2);
  return { manifest: text, signature: sign(null, Buffer.from(text), privateKey).toString('base64'), keyId: releaseKeyId(publicKey) };
}

/**
 * Check a signed release against the trusted keys and answer its manifest; throws ReleaseError
 * saying what is wrong (the gateway on upload, the device before it downloads).
 */
export function verifySignedRelease(raw: unknown, trustedKeys: readonly KeyObject[]): ReleaseManifest {
  const signed = SignedReleaseSchema.safeParse(raw);
  if (!signed.success) throw new ReleaseError('bad-format', `the release file is not a signed release: ${signed.error.issues[0]?.message ?? 'invalid'}`);
  const key = trustedKeys.find((k) => releaseKeyId(k) === signed.data.keyId);
  if (!key) throw new ReleaseError('unknown-key', `the release is signed with key ${signed.data.keyId}, which is not a trusted release key`);
  if (!verify(null, Buffer.from(signed.data.manifest), key, Buffer.from(signed.data.signature, 'base64'))) {
    throw new ReleaseError('bad-signature', 'the release signature does not match its manifest: it was changed after signing, or signed with another key');
  }
  let json: unknown;
  try {
    json = JSON.parse(signed.data.manifest);
  } catch {
    throw new ReleaseError('bad-format', 'the signed manifest is not JSON');
  }
  const manifest = ReleaseManifestSchema.safeParse(json);
  if (!manifest.success) throw new ReleaseError('bad-format', `the signed manifest does not match the release format: ${manifest.error.issues[0]?.message ?? 'invalid'}`);
  return manifest.data;
}

/** Check the tarball's bytes against the manifest (size, then sha256). */
export function checkTarball(manifest: ReleaseManifest, size: number, sha256: string): void {
  if (size !== manifest.size) throw new ReleaseError('tampered', `the tarball is ${size} bytes; the signed manifest says ${manifest.size}`);
  if (sha256 !== manifest.sha256) throw new ReleaseError('tampered', 'the tarball does not match the sha256 in the signed manifest');
}

/** -1, 0 or 1 as version a is older than, the same as, or newer than b. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [core = '', pre] = v.split(/-(.*)/s);
    return { nums: core.split('.').map(Number), pre };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** Where a device stands with an offered release (the gateway records the last one it heard). */
export const UpdateStateSchema = z.enum(['offered', 'downloading', 'installed', 'healthy', 'rolled-back', 'refused', 'rollback-blocked']);
export type UpdateState = z.infer<typeof UpdateStateSchema>;

/** device → gateway: what became of an offered release. */
export const UpdateReportSchema = z
  .object({
    version: ReleaseVersionSchema,
    state: UpdateStateSchema.exclude(['offered']),
    /** Why it was refused or rolled back (one line for hall IT). */
    reason: z.string().max(300).optional(),
  })
  .strict();
export type UpdateReport = z.infer<typeof UpdateReportSchema>;

/** device → gateway: `POST /api/releases/device/{id}/check-in`, signed with the device key over a fresh challenge. */
export const UpdateCheckInSchema = z
  .object({
    challenge: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
    /** Ed25519 by the device's enrolled key over updateCheckInText(), base64. */
    signature: z.string().min(1).max(200),
    runningVersion: z.string().max(40),
    reports: z.array(UpdateReportSchema).max(20).default([]),
  })
  .strict();
export type UpdateCheckIn = z.infer<typeof UpdateCheckInSchema>;

/** What the device signs to check in: its id and the gateway's one-time challenge. */
export function updateCheckInText(deviceId: string, challenge: string): string {
  return `hcp-update-check-in-1:${deviceId}:${challenge}`;
}

/** gateway → device: the answer to a check-in, the release offered to it (if any). */
export const UpdateOfferAnswerSchema = z.object({
  offer: z
    .object({
      release: SignedReleaseSchema,
      /** `GET` this with header `x-hcp-download-token` (valid while the offer stands). */
      downloadPath: z.string().regex(/^\/api\//, 'must be a path under /api/'),
      downloadToken: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/),
    })
    .nullable(),
});
export type UpdateOfferAnswer = z.infer<typeof UpdateOfferAnswerSchema>;

export const UpdateChallengeSchema = z.object({ challenge: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/), expiresAt: z.string() });
