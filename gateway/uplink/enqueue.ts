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
import { isBadRating } from '../../device/contract/index.js';
import type Database from 'better-sqlite3';
import type { ChainRecord, DetailRecord, RatingRecord } from '../../device/contract/index.js';
import { laneOf } from './outbox-schema.js';
import { mapRating, type NationalRating, type UplinkProfile } from './national-mapping.js';

export interface EnqueueOptions {
  profile: UplinkProfile;
  holdMs?: number;
  chunk?: number;
  now?: () => number;
}

interface RecordRow { ingest_seq: number; body: string; stored_at: string }
interface HeldRow { rating_id: string; rating: string; detail: string | null; release_after: number }
interface Open { rating: RatingRecord; detail: DetailRecord | null; releaseAfter: number }

/**
 * Records in `records` were verified at ingest (schema, hash chain, signature), so a structural
 * check is enough here; a full zod parse of every record cost more than half the drain time.
 */
function parseStored(body: string): ChainRecord {
  const r = JSON.parse(body) as ChainRecord;
  if ((r.kind !== 'rating' && r.kind !== 'detail') || typeof r.id !== 'string' || typeof r.deviceId !== 'string' || typeof r.seq !== 'number') {
    throw new Error(`records row is not a chain record: ${body.slice(0, 80)}`);
  }
  return r;
}

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
      hold: db.prepare('INSERT OR REPLACE INTO uplink_held (rating_id, device_id, seq, at, rating, detail, release_after) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      heldOfDevice: db.prepare('SELECT rating_id, rating, detail, release_after FROM uplink_held WHERE device_id = ? ORDER BY seq'),
      unholdDevice: db.prepare('DELETE FROM uplink_held WHERE device_id = ?'),
      due: db.prepare('SELECT rating_id, rating, detail, release_after FROM uplink_held WHERE release_after <= ? ORDER BY at, rating_id LIMIT 5000'),
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
      // The open (held) rating of each device touched by this chunk lives in memory during the
      // transaction and is written back at the end if still open: at most one per device.
      const open = new Map<string, Open | null>();
      for (const row of rows) this.take(row, open);
      const nowMs = this.now();
      for (const [deviceId, o] of open) {
        if (!o) continue;
        if (o.releaseAfter <= nowMs) this.release(o);
        else this.st.hold.run(o.rating.id, deviceId, o.rating.seq, o.rating.at, JSON.stringify(o.rating), o.detail ? JSON.stringify(o.detail) : null, o.releaseAfter);
      }
      if (rows.length > 0) this.st.setCursor.run(rows[rows.length - 1]!.ingest_seq);
      for (const h of this.st.due.all(nowMs) as HeldRow[]) {
        this.release(fromHeld(h));
        this.st.unhold.run(h.rating_id);
      }
      return rows.length;
    }).immediate();
  }

  /** Pump until the records table is drained. */
  drain(): number {
    let total = 0;
    for (let n = this.pump(); n > 0; n = this.pump()) total += n;
    return total;
  }

  private openOf(deviceId: string, open: Map<string, Open | null>): Open | null {
    if (open.has(deviceId)) return open.get(deviceId)!;
    const held = (this.st.heldOfDevice.all(deviceId) as HeldRow[]).map(fromHeld);
    if (held.length > 0) this.st.unholdDevice.run(deviceId);
    for (const h of held.slice(0, -1)) this.release(h);
    const last = held[held.length - 1] ?? null;
    open.set(deviceId, last);
    return last;
  }

  private take(row: RecordRow, open: Map<string, Open | null>): void {
    const rec = parseStored(row.body);
    const current = this.openOf(rec.deviceId, open);
    if (rec.kind === 'rating') {
      // A new rating closes the detail screen of the device's previous rating.
      if (current) this.release(current);
      // Only a 差评 opens the details screen (device/runtime/view-builder.ts): a good rating can
      // never get a detail, so it goes up at once — R5's "promptly" — instead of waiting out the hold.
      if (!isBadRating(rec.level)) {
        this.release({ rating: rec, detail: null, releaseAfter: 0 });
        open.set(rec.deviceId, null);
        return;
      }
      open.set(rec.deviceId, { rating: rec, detail: null, releaseAfter: Math.max(Date.parse(rec.at), Date.parse(row.stored_at)) + this.holdMs });
      return;
    }
    if (current && current.rating.id === rec.ratingId) {
      this.release({ ...current, detail: rec });
      open.set(rec.deviceId, null);
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

  private release(o: Open): void {
    const payload = mapRating(o.rating, o.detail, this.opts.profile);
    this.st.enqueue.run(payload.assessId, o.rating.deviceId, laneOf(o.rating.deviceId), new Date(Date.parse(o.rating.at)).toISOString(), JSON.stringify(payload), new Date(this.now()).toISOString());
  }
}

function fromHeld(h: HeldRow): Open {
  return { rating: JSON.parse(h.rating) as RatingRecord, detail: h.detail ? (JSON.parse(h.detail) as DetailRecord) : null, releaseAfter: h.release_after };
}

function withoutContact(d: DetailRecord): Omit<DetailRecord, 'contact'> {
  const { contact: _contact, ...rest } = d;
  return rest;
}
