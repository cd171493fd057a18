/**
 * The device's chain of records in SQLite, and the outbox view of it that the sync drives.
 *
 * `append` assigns seq and prevHash from the current head, hashes and signs the record, and
 * commits it in one transaction: when it returns, the record is durable (WAL + synchronous=FULL).
 * Only then may anything confirm it to the citizen (docs/DESIGN.md "How a rating flows" 2).
 */
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, type RejectionCode, type ChainRecord, type UnsignedRecord } from '../contract/index.js';
import { hashRecord, signHash } from '../contract/chain.js';
import type { Outbox } from '../runtime/ports.js';
import type { Db } from './database.js';

/** A record as its author builds it: the store fills in the chain fields. */
export type NewRecord =
  | Omit<Extract<UnsignedRecord, { kind: 'rating' }>, 'seq' | 'prevHash' | 'deviceId'>
  | Omit<Extract<UnsignedRecord, { kind: 'detail' }>, 'seq' | 'prevHash' | 'deviceId'>;

export class StoreError extends Error {
  constructor(
    readonly code: 'storage-full' | 'storage-failed' | 'invitation-used' | 'already-detailed',
    message: string,
  ) {
    super(message);
  }
}

export class ChainStore implements Outbox {
  private head: { seq: number; hash: string };
  private readonly insert;
  private readonly selectAfter;
  private readonly selectAck;

  constructor(
    private readonly db: Db,
    private readonly deviceId: string,
    private readonly signingKey: KeyObject,
    /** The device's stamp clock (device/clock/stamp-clock.ts), for the times the outbox keeps. */
    private readonly now: () => number = Date.now,
  ) {
    const last = db.prepare('SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    this.head = last ?? { seq: 0, hash: GENESIS_HASH };
    this.insert = db.prepare(
      'INSERT INTO records (seq, id, kind, at, hash, invitation_id, rating_id, body) VALUES (@seq, @id, @kind, @at, @hash, @invitationId, @ratingId, @body)',
    );
    this.selectAfter = db.prepare(
      `SELECT body FROM records r WHERE r.seq > ? AND r.seq > (SELECT acked_through_seq FROM outbox_ack WHERE id = 1)
         AND NOT EXISTS (SELECT 1 FROM outbox_rejections x WHERE x.seq = r.seq) ORDER BY r.seq LIMIT ?`,
    );
    this.selectAck = db.prepare('SELECT acked_through_seq AS through, head_hash AS headHash, acked_at AS at FROM outbox_ack WHERE id = 1');
  }

  headSeq(): number {
    return this.head.seq;
  }

  /** Append one record durably; returns it with its chain fields. */
  append(record: NewRecord): ChainRecord {
    const unsigned = { ...record, deviceId: this.deviceId, seq: this.head.seq + 1, prevHash: this.head.hash } as UnsignedRecord;
    const hash = hashRecord(unsigned);
    const full = { ...unsigned, hash, sig: signHash(hash, this.signingKey) } as ChainRecord;
    try {
      this.insert.run({
        seq: full.seq,
        id: full.id,
        kind: full.kind,
        at: full.at,
        hash,
        invitationId: full.kind === 'rating' ? full.invitation.id : null,
        ratingId: full.kind === 'detail' ? full.ratingId : null,
        body: JSON.stringify(full),
      });
    } catch (err) {
      throw translateSqliteError(err);
    }
    this.head = { seq: full.seq, hash };
    return full;
  }

  getRecord(id: string): ChainRecord | undefined {
    const row = this.db.prepare('SELECT body FROM records WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ChainRecord) : undefined;
  }

  hasRatingForInvitation(invitationId: string): boolean {
    return this.db.prepare('SELECT 1 FROM records WHERE invitation_id = ?').get(invitationId) !== undefined;
  }

  hasDetailFor(ratingId: string): boolean {
    return this.db.prepare('SELECT 1 FROM records WHERE rating_id = ?').get(ratingId) !== undefined;
  }

  // ---- Outbox -------------------------------------------------------------------------------

  backlog(): number {
    const ack = this.ackState();
    const rejected = (this.db.prepare('SELECT COUNT(*) AS n FROM outbox_rejections WHERE seq > ?').get(ack.through) as { n: number }).n;
    return Math.max(0, this.head.seq - ack.through - rejected);
  }

  nextBatch(limit: number, afterSeq = 0): ChainRecord[] {
    return (this.selectAfter.all(afterSeq, limit) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as ChainRecord);
  }

  markAcknowledged(throughSeq: number, at: Date): void {
    // Monotonic: a late or duplicate ack never moves the mark back.
    const through = Math.min(throughSeq, this.head.seq);
    const headHash = (this.db.prepare('SELECT hash FROM records WHERE seq = ?').get(through) as { hash: string } | undefined)?.hash ?? null;
    this.db
      .prepare('UPDATE outbox_ack SET acked_through_seq = ?, head_hash = ?, acked_at = ? WHERE id = 1 AND acked_through_seq < ?')
      .run(through, headHash, at.toISOString(), through);
  }

  /**
   * The gateway's head for this chain is behind what it acknowledged before: it lost records
   * (restored from a backup). Move the mark back so what this store still holds is sent again;
   * never behind the pruning checkpoint (what was pruned cannot be sent: the gateway keeps its gap).
   */
  rewindAcknowledged(toSeq: number): number {
    const pruned = (this.db.prepare('SELECT pruned_through_seq AS n FROM chain_bounds WHERE id = 1').get() as { n: number } | undefined)?.n ?? 0;
    const through = Math.max(toSeq, pruned);
    const headHash = (this.db.prepare('SELECT hash FROM records WHERE seq = ?').get(through) as { hash: string } | undefined)?.hash ?? null;
    this.db.prepare('UPDATE outbox_ack SET acked_through_seq = ?, head_hash = ? WHERE id = 1 AND acked_through_seq > ?').run(through, headHash, through);
    return through;
  }

  markRejected(items: ReadonlyArray<{ seq: number; code: RejectionCode; reason: string }>): void {
    // Only for records still here: a rejection never names a pruned record (pruning takes acknowledged ones only).
    const stmt = this.db.prepare('INSERT OR REPLACE INTO outbox_rejections (seq, code, reason, at) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM records WHERE seq = ?)');
    const now = new Date(this.now()).toISOString();
    this.db.transaction(() => {
      for (const item of items) if (item.seq <= this.head.seq) stmt.run(item.seq, item.code, item.reason.slice(0, 300), now, item.seq);
    })();
  }

  rejected(): Array<{ seq: number; id: string; code: string; reason: string; at: string }> {
    return this.db.prepare('SELECT x.seq, r.id, x.code, x.reason, x.at FROM outbox_rejections x JOIN records r ON r.seq = x.seq ORDER BY x.seq').all() as Array<{
      seq: number;
      id: string;
      code: string;
      reason: string;
      at: string;
    }>;
  }

  lastAcknowledgedAt(): string | null {
    return this.ackState().at;
  }

  ackState(): { through: number; headHash: string | null; at: string | null } {
    return this.selectAck.get() as { through: number; headHash: string | null; at: string | null };
  }
}

function translateSqliteError(err: unknown): Error {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL') return new StoreError('storage-full', 'the device store is full: the rating was not saved');
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
    const msg = String((err as Error).message);
    if (msg.includes('invitation_id')) return new StoreError('invitation-used', 'this invitation already has its rating');
    if (msg.includes('rating_id')) return new StoreError('already-detailed', 'this rating already has its details');
  }
  return new StoreError('storage-failed', `the device store failed: ${(err as Error).message}`);
}
