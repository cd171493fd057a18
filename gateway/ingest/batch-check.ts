/**
 * The checks of a device's batch that need no database: size, JSON, schema, that the batch and
 * every record are the authenticated device's, and each record's hash over its content. What is
 * left (the chain against the stored head, the signature with the enrolment's key, unique ids) is
 * decided in the commit (ingest-queue.ts).
 *
 * It also prepares what the commit stores of each record (its JSON body, its corrected time), so
 * that all the per-record work that needs no database can run off the main thread
 * (batch-check-pool.ts): the result is plain data, cheap to pass between threads.
 */
import { MAX_PAYLOAD_BYTES, RecordBatchSchema, describeZodError, type ChainRecord, type RejectionCode, type UnsignedRecord } from '@hcp/contract';
import { hashRecord } from '@hcp/contract/chain';
import { correctTime, type ClockFlag } from './clock-correction.js';

export interface Rejection {
  id: string;
  seq: number;
  code: RejectionCode;
  reason: string;
}

/** A record whose hash matches its content: what the chain check and the commit need of it. */
export interface CheckedRecord {
  id: string;
  seq: number;
  prevHash: string;
  hash: string;
  sig: string;
  kind: ChainRecord['kind'];
  at: string;
  /** A rating's window (a detail takes its device's). */
  windowId: string | null;
  level: number | null;
  /** The record as stored (`records.body`). */
  body: string;
  atCorrected: string;
  clockOffsetMs: number | null;
  clockFlag: ClockFlag | null;
}

export interface CheckedBatch {
  batchId: string;
  deviceId: string;
  /** Records whose hash matches their content, by ascending seq. */
  records: CheckedRecord[];
  rejected: Rejection[];
  keyFingerprint: string | null;
}

export type CheckResult = { ok: true; batch: CheckedBatch } | { ok: false; refused: string };

export function checkBatch(deviceId: string, payload: Buffer, receivedAt: number): CheckResult {
  const refuse = (refused: string): CheckResult => ({ ok: false, refused });
  if (payload.length > MAX_PAYLOAD_BYTES) return refuse(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    return refuse('payload is not JSON');
  }
  const parsed = RecordBatchSchema.safeParse(raw);
  if (!parsed.success) return refuse(`payload does not match the batch schema: ${describeZodError(parsed.error)}`);
  const b = parsed.data;
  if (b.deviceId !== deviceId) return refuse(`batch claims device ${b.deviceId}`);
  const rejected: Rejection[] = [];
  const records: CheckedRecord[] = [];
  const clock = { sentAt: b.sentAt ? Date.parse(b.sentAt) : null, receivedAt, clocks: [...(b.clocks ?? [])].sort((x, y) => x.fromSeq - y.fromSeq) };
  for (const r of [...b.records].sort((x, y) => x.seq - y.seq)) {
    if (r.deviceId !== deviceId) {
      rejected.push({ id: r.id, seq: r.seq, code: 'wrong-device', reason: `record belongs to ${r.deviceId}` });
      continue;
    }
    const { hash: _h, sig: _s, ...unsigned } = r;
    if (hashRecord(unsigned as UnsignedRecord) !== r.hash) {
      rejected.push({ id: r.id, seq: r.seq, code: 'hash-mismatch', reason: 'record content does not match its hash' });
      continue;
    }
    const t = correctTime(r, clock);
    records.push({
      id: r.id,
      seq: r.seq,
      prevHash: r.prevHash,
      hash: r.hash,
      sig: r.sig,
      kind: r.kind,
      at: r.at,
      windowId: r.kind === 'rating' ? r.windowId : null,
      level: r.kind === 'rating' ? r.level : null,
      body: JSON.stringify(r),
      atCorrected: t.atCorrected,
      clockOffsetMs: t.offsetMs,
      clockFlag: t.flag,
    });
  }
  return { ok: true, batch: { batchId: b.batchId, deviceId, records, rejected, keyFingerprint: b.keyFingerprint ?? null } };
}
