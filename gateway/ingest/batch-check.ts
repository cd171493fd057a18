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
import { MAX_PAYLOAD_BYTES, RecordBatchSchema, describeZodError, type ChainRecord, type RecordBatch, type RejectionCode } from '@hcp/contract';
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
  /**
   * The record as stored (`records.body`), unknown keys dropped. Its keys come in the order the
   * device sent them (checked on a worker, batch-schema.ts) or in the schema's (checked in place, by
   * zod): every reader parses it, and the hash is over the canonical text, which has one order.
   */
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

export type BatchParse = { ok: true; batch: RecordBatch } | { ok: false; error: string };

/** The contract's schema as zod parses it: what a press checked in place uses (batch-schema.ts says why the checking thread compiles it). */
export function parseWithZod(raw: unknown): BatchParse {
  const parsed = RecordBatchSchema.safeParse(raw);
  return parsed.success ? { ok: true, batch: parsed.data } : { ok: false, error: describeZodError(parsed.error) };
}

/** `parse`: how the batch schema is checked (the checking thread passes the compiled form, batch-schema.ts). */
export function checkBatch(deviceId: string, payload: Buffer, receivedAt: number, parse: (raw: unknown) => BatchParse = parseWithZod): CheckResult {
  const refuse = (refused: string): CheckResult => ({ ok: false, refused });
  if (payload.length > MAX_PAYLOAD_BYTES) return refuse(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    return refuse('payload is not JSON');
  }
  const parsed = parse(raw);
  if (!parsed.ok) return refuse(`payload does not match the batch schema: ${parsed.error}`);
  const b = parsed.batch;
  if (b.deviceId !== deviceId) return refuse(`batch claims device ${b.deviceId}`);
  const rejected: Rejection[] = [];
  const records: CheckedRecord[] = [];
  const clock = { sentAt: b.sentAt ? Date.parse(b.sentAt) : null, receivedAt, clocks: [...(b.clocks ?? [])].sort((x, y) => x.fromSeq - y.fromSeq) };
  for (const r of [...b.records].sort((x, y) => x.seq - y.seq)) {
    if (r.deviceId !== deviceId) {
      rejected.push({ id: r.id, seq: r.seq, code: 'wrong-device', reason: `record belongs to ${r.deviceId}` });
      continue;
    }
    // The record itself, not a copy without hash and sig: the canonical form reads neither.
    if (hashRecord(r) !== r.hash) {
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

/**
 * A check's result as it crosses between threads: the records as columns (one array per field).
 * Structured cloning rebuilds an object by reading each of its keys; 500 records' 13 keys each made
 * the receiving thread's copy cost two to four times what the same values cost as columns (issue
 * 14, measured with v8.serialize), and the objects are rebuilt from the columns in a plain loop.
 */
type RecordColumns = { [K in keyof CheckedRecord]: CheckedRecord[K][] };
export type PackedResult = { ok: true; batch: Omit<CheckedBatch, 'records'>; records: RecordColumns } | { ok: false; refused: string };

const RECORD_FIELDS = ['id', 'seq', 'prevHash', 'hash', 'sig', 'kind', 'at', 'windowId', 'level', 'body', 'atCorrected', 'clockOffsetMs', 'clockFlag'] as const;
// Every field of CheckedRecord is a column: a field added there and not here fails to compile.
const _everyField: Exclude<keyof CheckedRecord, (typeof RECORD_FIELDS)[number]> extends never ? true : never = true;

export function packResult(r: CheckResult): PackedResult {
  if (!r.ok) return r;
  const { records, ...batch } = r.batch;
  return { ok: true, batch, records: Object.fromEntries(RECORD_FIELDS.map((f) => [f, records.map((x) => x[f])])) as RecordColumns };
}

export function unpackResult(p: PackedResult): CheckResult {
  if (!p.ok) return p;
  const c = p.records;
  const records: CheckedRecord[] = new Array(c.id.length);
  for (let i = 0; i < records.length; i++)
    records[i] = {
      id: c.id[i]!,
      seq: c.seq[i]!,
      prevHash: c.prevHash[i]!,
      hash: c.hash[i]!,
      sig: c.sig[i]!,
      kind: c.kind[i]!,
      at: c.at[i]!,
      windowId: c.windowId[i]!,
      level: c.level[i]!,
      body: c.body[i]!,
      atCorrected: c.atCorrected[i]!,
      clockOffsetMs: c.clockOffsetMs[i]!,
      clockFlag: c.clockFlag[i]!,
    };
  return { ok: true, batch: { ...p.batch, records } };
}
