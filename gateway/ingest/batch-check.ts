/**
 * The checks of a device's batch that need no database: size, JSON, schema, that the batch and
 * every record are the authenticated device's, and each record's hash over its content. What is
 * left (the chain against the stored head, the signature with the enrolment's key, unique ids) is
 * decided in the commit (ingest-queue.ts).
 */
import { MAX_PAYLOAD_BYTES, RecordBatchSchema, describeZodError, type ChainRecord, type ClockRun, type RejectionCode, type UnsignedRecord } from '@hcp/contract';
import { hashRecord } from '@hcp/contract/chain';

export interface Rejection {
  id: string;
  seq: number;
  code: RejectionCode;
  reason: string;
}

export interface CheckedBatch {
  batchId: string;
  deviceId: string;
  /** Records whose hash matches their content, by ascending seq. */
  records: ChainRecord[];
  rejected: Rejection[];
  sentAt: number | null;
  keyFingerprint: string | null;
  clocks: ClockRun[];
  receivedAt: number;
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
  const records: ChainRecord[] = [];
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
    records.push(r);
  }
  const sentAt = b.sentAt ? Date.parse(b.sentAt) : null;
  return {
    ok: true,
    batch: {
      batchId: b.batchId,
      deviceId,
      records,
      rejected,
      sentAt,
      keyFingerprint: b.keyFingerprint ?? null,
      clocks: [...(b.clocks ?? [])].sort((x, y) => x.fromSeq - y.fromSeq),
      receivedAt,
    },
  };
}
