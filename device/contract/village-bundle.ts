/**
 * The village path (issue 13, "The village that syncs by carrying a file"; docs/VILLAGE.md): a
 * device with no network writes its unacknowledged chain records to a bundle file on a USB stick;
 * the town gateway imports it through the same ingest as MQTT and writes a receipt file, which the
 * device imports to learn what was stored.
 *
 * A bundle is signed by the device's own Ed25519 key over a canonical digest; the gateway checks it
 * with the key the device enrolled with, so a bundle altered on the stick is refused with what is
 * wrong. A receipt is signed by the gateway's TLS key and carries its certificate; the device checks
 * that certificate against the hall CA it already trusts (its `gateway.caFile`), the one anchor by
 * which it knows its gateway today — no second key to distribute, and the same trust as HTTPS.
 *
 * Node only (hashing and signing), like ./chain.ts: a subpath, never the package's index.
 */
import { createHash, createPublicKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { hashRecord } from './chain.js';
import { ClockRunSchema, RejectionCodeSchema, describeZodError } from './messages.js';
import { ChainRecordSchema, DeviceIdSchema, IsoTimeSchema, RecordIdSchema, Sha256HexSchema, SignatureSchema, type UnsignedRecord } from './records.js';

export const BUNDLE_FORMAT = 'hcp-village-bundle-1';
export const RECEIPT_FORMAT = 'hcp-village-receipt-1';
/** Six weeks of a busy window with details fits many times over; a file past it is not a device's. */
export const MAX_BUNDLE_RECORDS = 100_000;

export const VillageBundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    bundleId: RecordIdSchema,
    deviceId: DeviceIdSchema,
    /** The enrolment (epoch) the records belong to: sha256 of the device key's SPKI DER (chain.ts keyFingerprint). */
    keyFingerprint: Sha256HexSchema,
    /** The device's stamp clock when it wrote the bundle (it may be wrong: the gateway never trusts it for time). */
    createdAt: IsoTimeSchema,
    /** What the device held as acknowledged when it wrote the bundle: the records are those after it. */
    ackedThroughSeq: z.number().int().min(0),
    /** Clock runs covering the records (ClockRunSchema), all with `current: false`: a carried file has no transit time to measure. */
    clocks: z.array(ClockRunSchema).max(100_000),
    records: z.array(ChainRecordSchema).min(1).max(MAX_BUNDLE_RECORDS),
    /** sha256 of bundleDigestBytes(), hex. */
    digest: Sha256HexSchema,
    /** Ed25519 by the device key over the digest's 32 bytes, base64. */
    signature: SignatureSchema,
  })
  .strict();
export type VillageBundle = z.infer<typeof VillageBundleSchema>;
export type UnsignedBundle = Omit<VillageBundle, 'digest' | 'signature'>;

export const SeqRangeSchema = z.object({ fromSeq: z.number().int().min(1), throughSeq: z.number().int().min(1) }).strict();

export const VillageReceiptSchema = z
  .object({
    format: z.literal(RECEIPT_FORMAT),
    receiptId: RecordIdSchema,
    bundleId: RecordIdSchema,
    deviceId: DeviceIdSchema,
    keyFingerprint: Sha256HexSchema,
    /** The gateway's enrolment number for this key (device_epochs.epoch). */
    epoch: z.number().int().min(1),
    /** Every record of this chain up to and including this seq is stored at the gateway (as an MQTT ack's). */
    committedThroughSeq: z.number().int().min(0),
    /** The gateway's hash at committedThroughSeq: the device checks it is its own record there. */
    headHash: Sha256HexSchema.nullable(),
    /** The bundle's seqs that are stored (by this import or before it). */
    acked: z.array(SeqRangeSchema).max(1000),
    /** Records the gateway refused, with the MQTT ack's codes. */
    rejected: z.array(z.object({ seq: z.number().int().min(1), code: RejectionCodeSchema, reason: z.string().max(300) }).strict()).max(MAX_BUNDLE_RECORDS),
    /** The gateway's clock when it signed. */
    signedAt: IsoTimeSchema,
    /** The gateway's certificate (PEM), issued by the hall CA; its key signs. */
    certificatePem: z.string().min(1).max(20_000),
    /** base64 signature over the receipt digest's 32 bytes (sha256 with the certificate's EC/RSA key, or Ed25519). */
    signature: z.string().min(1).max(2000),
  })
  .strict();
export type VillageReceipt = z.infer<typeof VillageReceiptSchema>;
export type UnsignedReceipt = Omit<VillageReceipt, 'signature'>;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

/**
 * Deterministic bytes of a bundle: fixed field order, each record by (seq, id, hash). Each record's
 * hash covers its content and the hash before it (chain.ts), so the digest covers every byte that
 * matters once each record is checked against its own hash (checkBundleRecords).
 */
export function bundleDigestBytes(b: UnsignedBundle): Buffer {
  const clocks = b.clocks.map((c) => [c.fromSeq, c.current, c.offsetMs]);
  const records = b.records.map((r) => [r.seq, r.id, r.hash]);
  return Buffer.from(JSON.stringify([BUNDLE_FORMAT, b.bundleId, b.deviceId, b.keyFingerprint, b.createdAt, b.ackedThroughSeq, clocks, records]), 'utf8');
}

/** Digest and sign a bundle with the device key. */
export function signBundle(b: UnsignedBundle, deviceKey: KeyObject): VillageBundle {
  const digest = sha256(bundleDigestBytes(b));
  return { ...b, digest: digest.toString('hex'), signature: sign(null, digest, deviceKey).toString('base64') };
}

/** Parse a bundle: a file's text, or a body already parsed from JSON. The error names the field (or says it is not JSON). */
export function parseBundle(input: string | object): { ok: true; bundle: VillageBundle } | { ok: false; problem: string } {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      return { ok: false, problem: 'the file is not JSON: it is not a bundle, or it was cut short (copied before the export finished?)' };
    }
  }
  const p = VillageBundleSchema.safeParse(raw);
  return p.success ? { ok: true, bundle: p.data } : { ok: false, problem: `the file is not a valid bundle: ${describeZodError(p.error)}` };
}

/**
 * The bundle's own integrity, with the key the gateway holds for its enrolment: each record's content
 * against its hash, the digest, the signature. Null when intact, else one line naming what is wrong.
 * (The chain itself — links, gaps, what is stored — is ingest's to judge, as for MQTT.)
 */
export function bundleProblem(b: VillageBundle, enrolledKey: KeyObject): string | null {
  const altered = b.records.filter((r) => {
    const { hash: _h, sig: _s, ...unsigned } = r;
    return hashRecord(unsigned as UnsignedRecord) !== r.hash;
  });
  if (altered.length)
    return `record seq ${altered
      .map((r) => r.seq)
      .slice(0, 10)
      .join(', ')} altered: content does not match its hash`;
  const { digest, signature, ...unsigned } = b;
  const computed = sha256(bundleDigestBytes(unsigned));
  if (computed.toString('hex') !== digest) return 'the bundle digest does not match its content: records were added, removed or changed after the device signed it';
  if (!verify(null, computed, enrolledKey, Buffer.from(signature, 'base64'))) {
    return `the bundle signature does not verify with the key device ${b.deviceId} enrolled with: not made by this device, or altered`;
  }
  return null;
}

/** Deterministic bytes of a receipt (everything but the signature, in a fixed order). */
export function receiptDigestBytes(r: UnsignedReceipt): Buffer {
  return Buffer.from(
    JSON.stringify([
      RECEIPT_FORMAT,
      r.receiptId,
      r.bundleId,
      r.deviceId,
      r.keyFingerprint,
      r.epoch,
      r.committedThroughSeq,
      r.headHash,
      r.acked.map((a) => [a.fromSeq, a.throughSeq]),
      r.rejected.map((x) => [x.seq, x.code, x.reason]),
      r.signedAt,
      r.certificatePem,
    ]),
    'utf8',
  );
}

/** Ed25519 keys sign the digest as it is; EC and RSA keys with SHA-256. */
const algorithmFor = (key: KeyObject) => (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256');

/** Sign a receipt with the gateway's certificate key. */
export function signReceipt(r: UnsignedReceipt, gatewayKey: KeyObject): VillageReceipt {
  const digest = sha256(receiptDigestBytes(r));
  return { ...r, signature: sign(algorithmFor(gatewayKey), digest, gatewayKey).toString('base64') };
}

/**
 * Check a receipt against the hall CA (PEM): the certificate is issued by it, and its key signed the
 * receipt. Null when it holds, else what is wrong. The certificate's dates are not checked: a village
 * device's clock may be weeks off, and a receipt only ever moves its mark forward to what it shows.
 */
export function receiptProblem(r: VillageReceipt, hallCaPem: string | Buffer): string | null {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(hallCaPem);
  } catch (err) {
    return `the hall CA file cannot be read as a certificate: ${(err as Error).message}`;
  }
  try {
    cert = new X509Certificate(r.certificatePem);
  } catch {
    return 'the receipt certificate is not a certificate';
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'the receipt was not signed by a gateway of this hall (its certificate is not issued by the hall CA)';
  const key = createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' }));
  const digest = sha256(receiptDigestBytes(r));
  let ok = false;
  try {
    ok = verify(algorithmFor(key), digest, key, Buffer.from(r.signature, 'base64'));
  } catch {
    ok = false;
  }
  return ok ? null : 'the receipt signature does not verify: it was altered after the gateway signed it';
}

/** The bundle's records as contiguous seq ranges (a bundle normally is one range). */
export function seqRanges(seqs: readonly number[]): Array<{ fromSeq: number; throughSeq: number }> {
  const out: Array<{ fromSeq: number; throughSeq: number }> = [];
  for (const s of [...seqs].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && s === last.throughSeq + 1) last.throughSeq = s;
    else if (!last || s > last.throughSeq) out.push({ fromSeq: s, throughSeq: s });
  }
  return out;
}

/** A bundle's file name: which device, when, which seqs (sorts by time in a folder listing). */
export function bundleFileName(b: Pick<VillageBundle, 'deviceId' | 'createdAt' | 'records'>): string {
  const first = b.records[0]!.seq;
  const last = b.records[b.records.length - 1]!.seq;
  return `hcp-bundle-${b.deviceId}-${b.createdAt.replace(/[-:]/g, '').slice(0, 15)}-seq${first}-${last}.json`;
}
