/**
 * Follows the hall's ratings ledger (`assessment_log`, gateway/ratings/assessments.ts) on its own
 * cursor and turns each change into province-neutral outbox items (items.ts). The cursor moves in
 * the same transaction as the outbox rows are written, so a kill -9 at any moment enqueues every
 * change exactly once: the whole step committed, or none of it.
 *
 * Holding a 差评 for its reasons. The citizen presses a level (durable at once) and, after a 差评
 * only, may pick reasons and write a comment on the details screen, which reach us as a second
 * record, seconds or minutes later. A 差评 without details waits until
 *  - its details arrive, or
 *  - the same device's next rating arrives (the details screen has closed), or
 *  - `holdMs` (90 s) has passed since the gateway stored it, by the gateway's clock. Never by the
 *    device's: a device clock two years ahead once held a 差评 for two years (issue 10, hole 12).
 * Good ratings go at once (R5: promptly). Details that come while the item is still unsent are
 * folded into it; details for one already sent become an amendment (issue 10, hole 3).
 *
 * A real rating that replaces the R7 default (`replaces`, decided by the ledger on press time): if
 * the default may be at the province, it goes as a correction after it; if the default never left
 * (still unsent and never on the wire, or refused for good) the default is dropped and the real
 * rating is the case's one first rating (issue 10, hole 2). A 追加评价 follows its case's first rating.
 */
import type { Insertable } from 'kysely';
import type { Logger } from 'pino';
import { isBadRating, RATING_LEVELS, type RatingLevel } from '@hcp/contract';
import type { Clock } from '../feature.js';
import type { GatewayStore, Tx } from '../store/database.js';
import type { UplinkHeldTable, UplinkOutboxTable } from '../store/tables.js';
import { DEVICE_CHANNELS, LEDGER_COLUMNS, ratingItemOf, UplinkItemSchema, type LedgerRow, type RatingItem, type UplinkItem } from './items.js';
import { fastStatements, outboxValues, type FastStatements } from './enqueue-sqlite.js';
import { laneOf, newRow, orderKeyOf, queueAmendment } from './outbox.js';

export interface EnqueueOptions {
  clock: Clock;
  logger: Logger;
  /** Default 90 s. */
  holdMs?: number;
  /** Log entries per transaction. */
  chunk?: number;
}

const CURSOR = 'uplink';
const INSERT_SLICE = 1000;

type ItemRow = Pick<UplinkOutboxTable, 'case_no' | 'order_key' | 'at' | 'state' | 'payload'> & { id: number };

function isBad(level: number): boolean {
  return (RATING_LEVELS as readonly number[]).includes(level) && isBadRating(level as RatingLevel);
}

export class UplinkEnqueuer {
  private fast: FastStatements | null | undefined;
  private readonly holdMs: number;
  private readonly chunk: number;

  constructor(
    private readonly store: GatewayStore,
    private readonly o: EnqueueOptions,
  ) {
    this.holdMs = o.holdMs ?? 90_000;
    this.chunk = o.chunk ?? 2000;
  }

  /** One step: up to `chunk` log entries, then the held 差评 whose time is up. Returns entries read + items released. */
  pump(): Promise<number> {
    return this.store.write(async (trx) => {
      this.fast ??= this.store.sqlite ? fastStatements(this.store.sqlite) : null;
      const step = new EnqueueStep(trx, this.o.clock.now(), this.holdMs, this.o.logger, this.fast);
      await step.loadHeld();
      const read = await step.followLog(this.chunk);
      const released = await step.releaseDue();
      await step.flush();
      return read + released;
    });
  }

  /** Pump until the log is followed to its end and nothing held is due. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.pump(); n > 0; n = await this.pump()) total += n;
    return total;
  }
}

/** The work of one transaction. Only `trx` is used inside it (a second connection would deadlock SQLite). */
class EnqueueStep {
  private readonly now: string;
  private readonly held = new Map<string, UplinkHeldTable>();
  private readonly ledger = new Map<string, LedgerRow>();
  private inserts: Insertable<UplinkOutboxTable>[] = [];

  constructor(
    private readonly trx: Tx,
    nowMs: number,
    private readonly holdMs: number,
    private readonly log: Logger,
    /** SQLite's hand-tuned statements (same connection, same transaction), or null. */
    private readonly fast: FastStatements | null,
  ) {
    this.now = new Date(nowMs).toISOString();
  }

  /** Held 差评 are few (at most one per device, as its next rating lets the last one go). */
  async loadHeld(): Promise<void> {
    for (const h of await this.trx.selectFrom('uplink_held').selectAll().execute()) this.held.set(h.assess_id, h);
  }

  async followLog(chunk: number): Promise<number> {
    const cursor = await this.trx.selectFrom('cursors').select('position').where('name', '=', CURSOR).executeTakeFirst();
    const after = cursor?.position ?? 0;
    const entries = this.fast
      ? this.fast.log(after, chunk)
      : await this.trx.selectFrom('assessment_log').select(['seq', 'assess_id', 'change']).where('seq', '>', after).orderBy('seq').limit(chunk).execute();
    if (entries.length === 0) return 0;
    const ids = [...new Set(entries.map((e) => e.assess_id))];
    const rows = this.fast ? this.fast.ledger(ids) : await this.trx.selectFrom('assessments').select(LEDGER_COLUMNS).where('assess_id', 'in', ids).execute();
    for (const a of rows) this.ledger.set(a.assess_id, a);
    for (const e of entries) {
      // The chunk's rows were read above: no await (a promise per rating) unless one is missing.
      const a = this.ledger.get(e.assess_id) ?? (await this.assessment(e.assess_id));
      if (!a) {
        this.log.error({ assessId: e.assess_id, seq: e.seq }, 'assessment_log names an assessment that does not exist: skipped');
        continue;
      }
      if (e.change === 'created') await this.created(a, e.seq);
      else if (e.change === 'details') await this.detailsCame(a);
      else if (e.change === 'superseded') await this.superseded(a);
      else this.log.warn({ change: e.change, seq: e.seq }, 'unknown assessment_log change: skipped');
    }
    const last = entries[entries.length - 1]!.seq;
    await this.trx
      .insertInto('cursors')
      .values({ name: CURSOR, position: last })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: last }))
      .execute();
    return entries.length;
  }

  /** Held 差评 whose hold is over by the gateway's clock, oldest first. */
  async releaseDue(): Promise<number> {
    const due = [...this.held.values()].filter((h) => h.release_at <= this.now).sort((a, b) => a.log_seq - b.log_seq);
    for (const h of due) await this.releaseId(h.assess_id);
    return due.length;
  }

  async flush(): Promise<void> {
    const rows = this.inserts;
    this.inserts = [];
    if (this.fast) {
      for (const r of rows) this.fast.insert.run(outboxValues(r));
      return;
    }
    for (let i = 0; i < rows.length; i += INSERT_SLICE) {
      await this.trx
        .insertInto('uplink_outbox')
        .values(rows.slice(i, i + INSERT_SLICE))
        .onConflict((oc) => oc.column('item_key').doNothing())
        .execute();
    }
  }

  private async created(a: LedgerRow, logSeq: number): Promise<void> {
    // A device's next rating means the details screen of its previous one has closed.
    if (a.device_id && this.held.size > 0) {
      const key = orderKeyOf(a);
      await this.releaseHeldWhere((h) => h.order_key === key && h.assess_id !== a.assess_id);
    }
    // Only a 差评 on the device opens the details screen; anything else goes at once.
    if (a.device_id && DEVICE_CHANNELS.includes(a.channel) && isBad(a.level) && a.details_at === null) {
      const releaseAt = new Date(Date.parse(a.created_at) + this.holdMs).toISOString();
      if (releaseAt > this.now) {
        const h: UplinkHeldTable = { assess_id: a.assess_id, order_key: orderKeyOf(a), log_seq: logSeq, release_at: releaseAt };
        await this.trx
          .insertInto('uplink_held')
          .values(h)
          .onConflict((oc) => oc.column('assess_id').doNothing())
          .execute();
        this.held.set(a.assess_id, h);
        return;
      }
    }
    await this.release(a);
  }

  private async detailsCame(a: LedgerRow): Promise<void> {
    if (this.held.has(a.assess_id)) return this.release(a);
    const row = await this.rowOf(a.assess_id);
    const queued = row ? UplinkItemSchema.safeParse(JSON.parse(row.payload)) : null;
    if (!row || !queued?.success) {
      this.log.warn({ assessId: a.assess_id }, 'details for a rating the uplink never queued (or could not): skipped');
      return;
    }
    const item = queued.data;
    if (item.kind === 'amendment' || item.kind === 'rectification' || (item.kind === 'rating' ? item : item.rating).reasons !== null) return; // it went with its details
    const now = this.ratingOf(a);
    if (!now) return;
    const updated: UplinkItem = item.kind === 'rating' ? now : { ...item, rating: withoutKind(now) };
    if (row.state === 'pending' || row.state === 'dead') {
      // Unsent: fold the details in. The revision tells the sender, should this row be on its way
      // right now, that what it sent lacks them (sender.ts queues the amendment then).
      const folded = await this.trx
        .updateTable('uplink_outbox')
        .set((eb) => ({ payload: JSON.stringify(updated), revision: eb('revision', '+', 1) }))
        .where('id', '=', row.id)
        .where('state', 'in', ['pending', 'dead'])
        .executeTakeFirst();
      if (Number(folded.numUpdatedRows) === 1) return;
    }
    if (row.state !== 'superseded') await queueAmendment(this.trx, row, updated, this.now);
  }

  /** The ledger row as an item, or null (logged) if the ledger holds something no item can say. */
  private ratingOf(a: LedgerRow): RatingItem | null {
    try {
      return ratingItemOf(a);
    } catch (err) {
      this.log.error({ assessId: a.assess_id, err }, 'assessment is not a valid rating');
      return null;
    }
  }

  private async superseded(a: LedgerRow): Promise<void> {
    const row = await this.rowOf(a.assess_id);
    if (row) await this.tryDrop(row);
  }

  /** Queue the rating as the ledger holds it now. */
  private async release(a: LedgerRow): Promise<void> {
    if (this.held.delete(a.assess_id)) await this.trx.deleteFrom('uplink_held').where('assess_id', '=', a.assess_id).execute();
    const rating = this.ratingOf(a);
    if (!rating) return this.deadOnArrival(a, 'not a valid rating (see the gateway log)');
    let item: UplinkItem = rating;
    let afterId: number | null = null;
    let heirOf: number | null = null;
    if (a.replaces) {
      const replaced = await this.rowOf(a.replaces);
      if (replaced && (await this.tryDrop(replaced)) !== 'superseded') {
        item = { kind: 'correction', rating: withoutKind(rating), replaces: a.replaces };
        afterId = replaced.id;
      } else if (replaced) {
        heirOf = replaced.id; // the default never left: this is the case's first rating, and inherits what waited for it
      }
    }
    if (a.case_no && a.assess_number >= 2) {
      // A 追加评价 goes after its case's earlier ratings (the province refuses it before the first).
      for (const h of this.held.values()) await this.assessment(h.assess_id);
      await this.releaseHeldWhere((h) => h.assess_id !== a.assess_id && this.ledger.get(h.assess_id)?.case_no === a.case_no);
      afterId ??= await this.lastOfCase(a.case_no);
    }
    this.inserts.push(newRow(item, { caseNo: a.case_no, orderKey: orderKeyOf(a), at: a.pressed_at, afterId, replaceable: a.is_default === 1 }, this.now));
    if (heirOf !== null) {
      await this.flush();
      const heir = await this.trx.selectFrom('uplink_outbox').select('id').where('item_key', '=', `rating:${a.assess_id}`).executeTakeFirstOrThrow();
      await this.trx.updateTable('uplink_outbox').set({ after_id: heir.id }).where('after_id', '=', heirOf).execute();
    }
  }

  private async releaseId(assessId: string): Promise<void> {
    const a = await this.assessment(assessId);
    if (a) return this.release(a);
    this.held.delete(assessId);
    await this.trx.deleteFrom('uplink_held').where('assess_id', '=', assessId).execute();
  }

  private async releaseHeldWhere(pick: (h: UplinkHeldTable) => boolean): Promise<void> {
    const which = [...this.held.values()].filter(pick).sort((x, y) => x.log_seq - y.log_seq);
    // A release may let go of others (a 追加评价 its case's first rating): skip those already gone.
    for (const h of which) if (this.held.has(h.assess_id)) await this.releaseId(h.assess_id);
  }

  /**
   * Drop an unsent default that a real rating replaced: only if no request carrying it can have
   * reached the province (never claimed for the wire by the sender), or the province refused it.
   * Returns the row's state afterwards.
   */
  private async tryDrop(row: ItemRow): Promise<string> {
    if (row.state === 'superseded') return row.state;
    const dropped = await this.trx
      .updateTable('uplink_outbox')
      .set({ state: 'superseded', last_error: 'replaced by a real rating before it reached the province' })
      .where('id', '=', row.id)
      .where('replaceable', '=', 1)
      .where((eb) => eb.or([eb.and([eb('state', '=', 'pending'), eb('on_wire', '=', 0)]), eb('state', '=', 'dead')]))
      .executeTakeFirst();
    if (Number(dropped.numUpdatedRows) === 0) return row.state;
    await this.trx.deleteFrom('uplink_dead_letters').where('outbox_id', '=', row.id).execute();
    return 'superseded';
  }

  /** The outbox row carrying an assessment's rating (as a rating or a correction). */
  private async rowOf(assessId: string): Promise<ItemRow | undefined> {
    await this.flush();
    return this.trx
      .selectFrom('uplink_outbox')
      .select(['id', 'case_no', 'order_key', 'at', 'state', 'payload'])
      .where('assess_id', '=', assessId)
      .where('kind', 'in', ['rating', 'correction'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  private async lastOfCase(caseNo: string): Promise<number | null> {
    await this.flush();
    const r = await this.trx
      .selectFrom('uplink_outbox')
      .select('id')
      .where('case_no', '=', caseNo)
      .where('kind', 'in', ['rating', 'correction'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r?.id ?? null;
  }

  private async assessment(assessId: string): Promise<LedgerRow | undefined> {
    let a = this.ledger.get(assessId);
    if (!a) {
      a = await this.trx.selectFrom('assessments').select(LEDGER_COLUMNS).where('assess_id', '=', assessId).executeTakeFirst();
      if (a) this.ledger.set(assessId, a);
    }
    return a;
  }

  /** An assessment no province could take: straight to the dead letters, where hall IT sees it; the rest goes on. */
  private async deadOnArrival(a: LedgerRow, reason: string): Promise<void> {
    await this.flush();
    const row = await this.trx
      .insertInto('uplink_outbox')
      .values({
        item_key: `rating:${a.assess_id}`,
        kind: 'rating',
        assess_id: a.assess_id,
        case_no: a.case_no,
        order_key: orderKeyOf(a),
        lane: laneOf(orderKeyOf(a)),
        at: a.pressed_at,
        after_id: null,
        payload: JSON.stringify({ kind: 'rating', assessId: a.assess_id, invalid: reason }),
        state: 'dead',
        last_error: reason,
        enqueued_at: this.now,
        sent_at: null,
      })
      .onConflict((oc) => oc.column('item_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row)
      await this.trx
        .insertInto('uplink_dead_letters')
        .values({ outbox_id: row.id, item_key: `rating:${a.assess_id}`, reason, dead_at: this.now })
        .execute();
    this.log.error({ assessId: a.assess_id, reason }, 'assessment cannot go to the province: dead-lettered');
  }
}

function withoutKind(r: RatingItem): Omit<RatingItem, 'kind'> {
  const { kind: _kind, ...rest } = r;
  return rest;
}
