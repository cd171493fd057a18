/**
 * Moves stored chain records into the uplink outbox. The cursor (last ingest_seq seen) is advanced
 * in the same transaction as the inserts, so a kill -9 at any point enqueues every record exactly
 * once: either the whole step committed or none of it did.
 *
 * Why ratings are held: the citizen presses a level first (the rating record, durable at once) and
 * may then pick reasons or write a comment (a separate `detail` record). The provincial interface
 * takes one record with satisfaction, evalDetail and writingEvaluation together and has no amend
 * call, so we wait briefly for the detail. A held rating is released when
 *  - its detail arrives, or
 *  - the same device's chain shows a later rating (the detail screen has closed), or
 *  - `holdMs` (90 s) has passed both since the rating was pressed and since the gateway stored it:
 *    the second bound matters for a village point uploading weeks of backlog, whose old ratings
 *    would otherwise be released before their details (next in the same upload) are read.
 */
import type Database from 'better-sqlite3';
import { ChainRecordSchema, type DetailRecord, type RatingRecord } from '../../device/contract/index.js';
import { laneOf } from './outbox-schema.js';
import { mapRating, type NationalRating, type UplinkProfile } from './national-mapping.js';

export interface EnqueueOptions {
  profile: UplinkProfile;
  holdMs?: number;
  chunk?: number;
  now?: () => number;
}

interface RecordRow { ingest_seq: number; body: string; stored_at: string }
interface HeldRow { rating_id: string; rating: string; detail: string | null }

export class UplinkEnqueuer {
  private readonly holdMs: number;
  private readonly chunk: number;
  private readonly now: () => number;
  private readonly st;

  constructor(private readonly db: Database.Database, private readonly opts: EnqueueOptions) {
    this.holdMs = opts.holdMs ?? 90_000;
    this.chunk = opts.chunk ?? 2000;
    this.now = opts.now ?? Date.now;
    this.st = {
      cursor: db.prepare("SELECT ingest_seq AS s FROM uplink_cursor WHERE name = 'records'").pluck(),
      setCursor: db.prepare("UPDATE uplink_cursor SET ingest_seq = ? WHERE name = 'records'"),
      next: db.prepare('SELECT ingest_seq, body, stored_at FROM records WHERE ingest_seq > ? ORDER BY ingest_seq LIMIT ?'),
      hold: db.prepare('INSERT OR IGNORE INTO uplink_held (rating_id, device_id, seq, at, rating, release_after) VALUES (?, ?, ?, ?, ?, ?)'),
      held: db.prepare('SELECT rating_id, rating, detail FROM uplink_held WHERE rating_id = ?'),
      attach: db.prepare('UPDATE uplink_held SET detail = ? WHERE rating_id = ?'),
      earlierHeld: db.prepare('SELECT rating_id, rating, detail FROM uplink_held WHERE device_id = ? AND seq < ? ORDER BY seq'),
      due: db.prepare('SELECT rating_id, rating, detail FROM uplink_held WHERE release_after <= ? ORDER BY at, rating_id LIMIT 5000'),
      unhold: db.prepare('DELETE FROM uplink_held WHERE rating_id = ?'),
      enqueue: db.prepare("INSERT OR IGNORE INTO uplink_outbox (assess_id, order_key, lane, at, payload, state, enqueued_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)"),
      pendingPayload: db.prepare("SELECT id, payload FROM uplink_outbox WHERE assess_id = ? AND state = 'pending'"),
      setPayload: db.prepare('UPDATE uplink_outbox SET payload = ? WHERE id = ?'),
      late: db.prepare('INSERT OR IGNORE INTO uplink_late_details (detail_id, rating_id, body, seen_at) VALUES (?, ?, ?, ?)'),
    };
  }

  /** One step: read up to `chunk` new records, then release due ratings. Returns records read. */
  pump(): number {
    return this.db.transaction(() => {
      const from = this.st.cursor.get() as number;
      const rows = this.st.next.all(from, this.chunk) as RecordRow[];
      for (const row of rows) this.take(row);
      if (rows.length > 0) this.st.setCursor.run(rows[rows.length - 1]!.ingest_seq);
      for (const h of this.st.due.all(this.now()) as HeldRow[]) this.release(h);
      return rows.length;
    }).immediate();
  }

  /** Pump until the records table is drained. */
  drain(): number {
    let total = 0;
    for (let n = this.pump(); n > 0; n = this.pump()) total += n;
    return total;
  }

  private take(row: RecordRow): void {
    const rec = ChainRecordSchema.parse(JSON.parse(row.body));
    if (rec.kind === 'rating') {
      // A new rating closes the detail screen of every earlier rating of this device.
      for (const h of this.st.earlierHeld.all(rec.deviceId, rec.seq) as HeldRow[]) this.release(h);
      const releaseAfter = Math.max(Date.parse(rec.at), Date.parse(row.stored_at)) + this.holdMs;
      this.st.hold.run(rec.id, rec.deviceId, rec.seq, rec.at, row.body, releaseAfter);
      return;
    }
    const held = this.st.held.get(rec.ratingId) as HeldRow | undefined;
    if (held) {
      this.release({ ...held, detail: row.body });
      return;
    }
    const pending = this.st.pendingPayload.get(rec.ratingId) as { id: number; payload: string } | undefined;
    if (pending) {
      const p = JSON.parse(pending.payload) as NationalRating;
      this.st.setPayload.run(JSON.stringify({ ...p, evalDetail: rec.reasons.join(','), writingEvaluation: rec.comment ?? '' }), pending.id);
      return;
    }
    this.st.late.run(rec.id, rec.ratingId, JSON.stringify(withoutContact(rec)), new Date(this.now()).toISOString());
  }

  private release(h: HeldRow): void {
    const rating = JSON.parse(h.rating) as RatingRecord;
    const detail = h.detail ? (JSON.parse(h.detail) as DetailRecord) : null;
    const payload = mapRating(rating, detail, this.opts.profile);
    this.st.enqueue.run(payload.assessId, rating.deviceId, laneOf(rating.deviceId), new Date(Date.parse(rating.at)).toISOString(), JSON.stringify(payload), new Date(this.now()).toISOString());
    this.st.unhold.run(h.rating_id);
  }
}

function withoutContact(d: DetailRecord): Omit<DetailRecord, 'contact'> {
  const { contact: _contact, ...rest } = d;
  return rest;
}
