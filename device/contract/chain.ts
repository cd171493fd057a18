/**
 * Hashing and signing of chain records (Node only: the renderer never imports this).
 *
 * What is signed: every record's hash, by the device (about 50 µs, beside a ~1 ms durable commit).
 * What is verified at ingest: the full hash chain of every record, but the signature only of the
 * last record of each batch — since each hash covers the previous one, a valid signature on the
 * head vouches for every record before it. That keeps Ed25519 (≈100 µs a verify) off the per-rating
 * cost of the gateway's ingest. `verifyChain` below checks any signature on demand (hall IT's verify).
 */
import { createHash, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import type { ChainRecord, UnsignedRecord } from './records.js';
import { GENESIS_HASH } from './records.js';

/** Deterministic bytes of a record: fixed field order, absent optionals as null. */
export function canonicalRecordBytes(r: UnsignedRecord): Buffer {
  return Buffer.from(canonicalRecordText(r), 'utf8');
}

/** canonicalRecordBytes as the JSON text they encode (UTF-8). */
function canonicalRecordText(r: UnsignedRecord): string {
  const common = [r.kind, r.id, r.deviceId, r.seq, r.prevHash, r.at];
  const body =
    r.kind === 'rating'
      ? [
          r.level,
          r.channel,
          r.catalogueVersion,
          r.windowId,
          r.staffId ?? null,
          [r.invitation.id, r.invitation.source, r.invitation.caseNo ?? null, r.invitation.itemCode ?? null, r.invitation.itemName ?? null, r.invitation.invitedAt],
          [r.facts.msFromInvitation, r.facts.staffLoggedIn, r.facts.unarmedPressesBefore, r.facts.ratingsInLastMinute, r.facts.flags],
        ]
      : [r.ratingId, r.reasons, r.comment ?? null, r.contact ? [r.contact.alg, r.contact.keyId, r.contact.epk, r.contact.iv, r.contact.ct, r.contact.tag] : null];
  return JSON.stringify(['hcp-record-1', common, body]);
}

/** sha256 of canonicalRecordBytes, hex. One-shot over the text: the gateway hashes every record it takes in (a third of the time a Hash object and a Buffer per record cost). */
export function hashRecord(r: UnsignedRecord): string {
  return hash('sha256', canonicalRecordText(r), 'hex');
}

export function signHash(hash: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(hash, 'hex'), privateKey).toString('base64');
}

export function verifyHashSignature(hash: string, sig: string, publicKey: KeyObject): boolean {
  return verify(null, Buffer.from(hash, 'hex'), publicKey, Buffer.from(sig, 'base64'));
}

/** Public keys travel as SPKI PEM. */
export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

export type ChainProblem = { seq: number; problem: 'hash-mismatch' | 'broken-link' | 'bad-signature' | 'gap' | 'wrong-device' };

/**
 * Check a contiguous run of one device's records. `prev` is the record before the run (or
 * undefined when the run starts at seq 1). `signatures`: 'all' or 'head' (the last record only).
 */
export function verifyChain(
  records: readonly ChainRecord[],
  publicKey: KeyObject,
  opts: { prev?: { seq: number; hash: string }; signatures: 'all' | 'head'; deviceId: string },
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prevSeq = opts.prev?.seq ?? 0;
  let prevHash = opts.prev?.hash ?? GENESIS_HASH;
  records.forEach((r, i) => {
    if (r.deviceId !== opts.deviceId) problems.push({ seq: r.seq, problem: 'wrong-device' });
    if (r.seq !== prevSeq + 1) problems.push({ seq: r.seq, problem: 'gap' });
    if (r.prevHash !== prevHash) problems.push({ seq: r.seq, problem: 'broken-link' });
    const { hash: _h, sig: _s, ...unsigned } = r;
    if (hashRecord(unsigned as UnsignedRecord) !== r.hash) problems.push({ seq: r.seq, problem: 'hash-mismatch' });
    const checkSig = opts.signatures === 'all' || i === records.length - 1;
    if (checkSig && !verifyHashSignature(r.hash, r.sig, publicKey)) {
      problems.push({ seq: r.seq, problem: 'bad-signature' });
    }
    prevSeq = r.seq;
    prevHash = r.hash;
  });
  return problems;
}

/** sha256 of a public key's SPKI DER, hex: names an enrolment's key in batches and in hall IT's views. */
export function keyFingerprint(publicKeyPem: string): string {
  return createHash('sha256')
    .update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }))
    .digest('hex');
}
