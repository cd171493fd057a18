/**
 * The ingest core: one device's batch in, one application-level ack out. Broker-agnostic: the
 * embedded aedes calls it from its publish hook, a worker on an external broker (Mosquitto, EMQX)
 * from its subscription — same checks, same commit.
 *
 * Checks, in order: size, schema, that the batch and every record are the authenticated device's,
 * that the device is enrolled and not retired, every record's hash, the chain's continuity against
 * the stored head (a resend of a stored record is a no-op; a different record at a stored seq is a
 * fork; a missing seq is a gap, recorded and reported), and the Ed25519 signature of the batch's new
 * head only — each hash covers the one before, so the head's signature vouches for the batch
 * (device/contract/chain.ts). Then ONE transaction commits the batch, and only then is the ack made:
 * aedes sends PUBACK before its publish event, so PUBACK never means "stored".
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import {
  MAX_PAYLOAD_BYTES, RecordBatchSchema, describeZodError,
  type BatchAck, type ChainRecord, type RejectionCode, type UnsignedRecord,
} from '../../device/contract/index.js';
import { hashRecord, verifyHashSignature } from '../../device/contract/chain.js';
import type { GatewayDb } from '../store/gateway-store.js';

export interface IngestResult {
  /** The ack to publish to the device, or null when the payload was refused outright. */
  ack: BatchAck | null;
  stored: number;
  refused?: string;
}

type Rejection = BatchAck['rejected'][number];

export class BatchIngest {
  private readonly keys = new Map<string, { pem: string; key: KeyObject }>();
  private readonly headStmt;
  private readonly storedStmt;
  private readonly insertStmt;
  private readonly headUpdate;
  private readonly gapStmt;

  constructor(
    private readonly db: GatewayDb,
    private readonly logger: Logger,
    private readonly onStored: (records: ChainRecord[]) => void = () => undefined,
  ) {
    this.headStmt = db.prepare('SELECT head_seq AS seq, head_hash AS hash, public_key_pem AS pem, retired, window_id AS windowId FROM devices WHERE device_id = ?');
    this.storedStmt = db.prepare('SELECT id, body FROM records WHERE device_id = ? AND seq = ?');
    this.insertStmt = db.prepare('INSERT OR IGNORE INTO records (id, device_id, seq, kind, at, window_id, level, body, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.headUpdate = db.prepare('UPDATE devices SET head_seq = ?, head_hash = ? WHERE device_id = ?');
    this.gapStmt = db.prepare('INSERT INTO chain_gaps (device_id, expected_seq, got_seq, detected_at) VALUES (?, ?, ?, ?)');
  }

  ingest(deviceId: string, payload: Buffer): IngestResult {
    const refuse = (why: string): IngestResult => {
      this.logger.warn({ deviceId, why }, 'batch refused');
      return { ack: null, stored: 0, refused: why };
    };
    if (payload.length > MAX_PAYLOAD_BYTES) return refuse(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      return refuse('payload is not JSON');
    }
    const parsed = RecordBatchSchema.safeParse(raw);
    if (!parsed.success) return refuse(`payload does not match the batch schema: ${describeZodError(parsed.error)}`);
    const batch = parsed.data;
    if (batch.deviceId !== deviceId) return refuse(`batch claims device ${batch.deviceId}`);
    const device = this.headStmt.get(deviceId) as { seq: number; hash: string | null; pem: string | null; retired: number; windowId: string | null } | undefined;
    if (!device || !device.pem) return refuse('device is not enrolled');
    const gatewayTime = new Date().toISOString();
    if (device.retired) {
      return { ack: { batchId: batch.batchId, committedThroughSeq: device.seq, rejected: batch.records.map((r) => ({ id: r.id, seq: r.seq, code: 'retired-device' as const, reason: 'this device is retired' })), gatewayTime }, stored: 0 };
    }

    const rejected: Rejection[] = [];
    const fresh: ChainRecord[] = [];
    let head = { seq: device.seq, hash: device.hash ?? '0'.repeat(64) };
    const records = [...batch.records].sort((a, b) => a.seq - b.seq);
    let gapAt: number | null = null;
    for (const r of records) {
      const reject = (code: RejectionCode, reason: string) => rejected.push({ id: r.id, seq: r.seq, code, reason });
      if (r.deviceId !== deviceId) { reject('wrong-device', `record belongs to ${r.deviceId}`); continue; }
      const { hash: _h, sig: _s, ...unsigned } = r;
      if (hashRecord(unsigned as UnsignedRecord) !== r.hash) { reject('hash-mismatch', 'record content does not match its hash'); continue; }
      if (r.seq <= device.seq) {
        const stored = this.storedStmt.get(deviceId, r.seq) as { id: string; body: string } | undefined;
        if (stored && stored.id === r.id && (JSON.parse(stored.body) as ChainRecord).hash === r.hash) continue; // a resend: no-op
        reject('chain-fork', `a different record is already stored at seq ${r.seq}`);
        continue;
      }
      if (gapAt !== null || r.seq !== head.seq + 1) {
        gapAt ??= r.seq;
        reject('chain-gap', `expected seq ${head.seq + 1}, got ${r.seq}`);
        continue;
      }
      if (r.prevHash !== head.hash) { reject('chain-fork', `record does not follow the stored head at seq ${head.seq}`); gapAt = r.seq; continue; }
      fresh.push(r);
      head = { seq: r.seq, hash: r.hash };
    }
    if (fresh.length > 0 && !verifyHashSignature(head.hash, fresh[fresh.length - 1]!.sig, this.keyOf(deviceId, device.pem))) {
      this.logger.warn({ deviceId, seq: head.seq }, 'batch head signature does not verify: batch refused');
      for (const r of fresh) rejected.push({ id: r.id, seq: r.seq, code: 'bad-signature', reason: 'the batch head signature does not verify with the enrolled key' });
      fresh.length = 0;
      head = { seq: device.seq, hash: device.hash ?? '0'.repeat(64) };
    }
    if (gapAt !== null && rejected.some((x) => x.code === 'chain-gap')) {
      this.gapStmt.run(deviceId, device.seq + fresh.length + 1, gapAt, gatewayTime);
      this.logger.error({ deviceId, expected: head.seq + 1, got: gapAt }, 'chain gap: a record is missing');
    }
    if (fresh.length > 0) {
      const storedAt = gatewayTime;
      this.db.transaction(() => {
        for (const r of fresh) {
          this.insertStmt.run(r.id, deviceId, r.seq, r.kind, r.at, r.kind === 'rating' ? r.windowId : device.windowId, r.kind === 'rating' ? r.level : null, JSON.stringify(r), storedAt);
        }
        this.headUpdate.run(head.seq, head.hash, deviceId);
      })();
      this.onStored(fresh);
    }
    return { ack: { batchId: batch.batchId, committedThroughSeq: head.seq, headHash: head.hash, rejected, gatewayTime }, stored: fresh.length };
  }

  /** Forget a device's cached key (re-enrolment, retirement). */
  forget(deviceId: string): void {
    this.keys.delete(deviceId);
  }

  private keyOf(deviceId: string, pem: string): KeyObject {
    const cached = this.keys.get(deviceId);
    if (cached && cached.pem === pem) return cached.key;
    const key = createPublicKey(pem);
    this.keys.set(deviceId, { pem, key });
    return key;
  }
}
