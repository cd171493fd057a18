/**
 * Follows the follow-ups' event log (`followup_events`) on its own cursor and queues one
 * rectification item (items.ts) for each step a province hears of (RECTIFICATION_STEPS), so the
 * province computes 差评回复率 and 回访整改率 from what the hall has (R12, docs/NATIONAL-SPEC.md
 * "Rectification records").
 *
 * Exactly once. The item's key is `rectify:<followupId>:<event seq>`, the cursor moves in the same
 * transaction as the rows are written, and the province keys the record by assessId and revision
 * (the seq), so a resend after a lost answer is answered `duplicate`.
 *
 * Order. Each record waits (`after_id`) for the one before it of the same 差评, the first for the
 * rating itself: a province never hears of the follow-up of a rating it does not have. While that
 * rating is not in the outbox yet (held for its reasons — at most `holdMs` — or not reached by the
 * ratings' enqueuer) the cursor stops before the step and comes back for it; the other follow-ups'
 * steps in the same chunk go on meanwhile.
 *
 * A province whose adapter takes no rectification records (`submitRectifications` absent) gets
 * none: the cursor moves on without queueing — skipped, not an error, nothing left pending.
 */
import type { Logger } from 'pino';
import { isBadRating, type RatingLevel } from '@hcp/contract';
import type { Clock } from '../feature.js';
import { looksLikePhoneNumber } from '../followup/free-text.js';
import type { GatewayStore, Tx } from '../store/database.js';
import { RECTIFICATION_STEPS, type RectificationItem } from './items.js';
import { newRow } from './outbox.js';

const CURSOR = 'uplink-followups';
/** The ratings' enqueuer's cursor over assessment_log (enqueue.ts). */
const RATINGS_CURSOR = 'uplink';

/** queued: a new row; known: queued before (a walk again); wait: its rating is not queued yet. */
type Queued = 'queued' | 'known' | 'wait' | 'skipped';
interface Step {
  seq: number;
  followup_id: string;
  kind: string;
  at: string;
  data: string | null;
}

const stepOf = (kind: string) => (RECTIFICATION_STEPS as Record<string, RectificationItem['step']['kind'] | undefined>)[kind];

export class RectificationEnqueuer {
  constructor(
    private readonly store: GatewayStore,
    private readonly o: { clock: Clock; logger: Logger; enabled: boolean; chunk?: number },
  ) {}

  /** One step: up to `chunk` events. Answers how many were taken (0: nothing more now). */
  async pump(): Promise<number> {
    // Most pumps follow a rating, not a step: look before taking the store's write lock.
    const at = (await this.store.db.selectFrom('cursors').select('position').where('name', '=', CURSOR).executeTakeFirst())?.position ?? 0;
    if (!(await this.store.db.selectFrom('followup_events').select('seq').where('seq', '>', at).limit(1).executeTakeFirst())) return 0;
    return this.store.write(async (trx) => {
      const cursor = (await trx.selectFrom('cursors').select('position').where('name', '=', CURSOR).executeTakeFirst())?.position ?? 0;
      const events = await trx
        .selectFrom('followup_events')
        .select(['seq', 'followup_id', 'kind', 'at', 'data'])
        .where('seq', '>', cursor)
        .orderBy('seq')
        .limit(this.o.chunk ?? 1000)
        .execute();
      // The cursor stops at the first step that must wait; the steps after it of other follow-ups
      // are queued meanwhile (idempotent: walked again next time), those of a waiting one are not.
      let through = cursor;
      let fresh = 0;
      const waiting = new Set<string>();
      for (const e of events) {
        const outcome = !this.o.enabled || !stepOf(e.kind) ? 'skipped' : waiting.has(e.followup_id) ? 'wait' : await this.queue(trx, e);
        if (outcome === 'wait') waiting.add(e.followup_id);
        if (outcome === 'queued') fresh++;
        if (waiting.size === 0) through = e.seq;
      }
      if (through > cursor) {
        await trx
          .insertInto('cursors')
          .values({ name: CURSOR, position: through })
          .onConflict((oc) => oc.column('name').doUpdateSet({ position: through }))
          .execute();
      }
      return events.filter((e) => e.seq <= through).length + fresh;
    });
  }

  /** Follow the log as far as it can go now. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.pump(); n > 0; n = await this.pump()) total += n;
    return total;
  }

  private async queue(trx: Tx, e: Step): Promise<Queued> {
    const f = await trx.selectFrom('followups').selectAll().where('followup_id', '=', e.followup_id).executeTakeFirst();
    if (!f) return 'skipped';
    const a = await trx.selectFrom('assessments').select(['case_no', 'level']).where('assess_id', '=', f.assess_id).executeTakeFirst();
    if (!a || !isBadRating(a.level as RatingLevel)) return 'skipped';
    const afterId = await this.predecessor(trx, f.assess_id);
    if (afterId === 'wait' || afterId === 'never') return afterId === 'wait' ? 'wait' : this.neverSent(f.assess_id);
    const w = await trx.selectFrom('write_offs').select(['kind', 'approved_at']).where('assess_id', '=', f.assess_id).executeTakeFirst();
    const data = e.data ? (JSON.parse(e.data) as { rerating?: unknown }) : {};
    const stepRerating = typeof data.rerating === 'number' && data.rerating >= 1 && data.rerating <= 5 ? (data.rerating as 1 | 2 | 3 | 4 | 5) : null;
    let actionTaken = f.action_taken;
    if (actionTaken !== null && looksLikePhoneNumber(actionTaken)) {
      // The console refuses such text (followup/free-text.ts); if one got in anyway it stays home (R10).
      this.o.logger.warn({ followupId: f.followup_id }, 'the action taken looks like it holds a phone number: not sent to the province');
      actionTaken = null;
    }
    const item: RectificationItem = {
      kind: 'rectification',
      assessId: f.assess_id,
      followupId: f.followup_id,
      revision: e.seq,
      step: { kind: stepOf(e.kind)!, at: e.at, rerating: stepRerating },
      caseNo: a.case_no,
      openedAt: f.opened_at,
      state: f.state,
      finding: f.finding,
      resolution: f.resolution,
      dueDate: f.due_date,
      extendedDays: f.extended_days,
      escalationLevel: f.escalation_level,
      rectifiedAt: f.rectified_at,
      repliedAt: f.replied_at,
      calledBackAt: f.called_back_at,
      rerating: (f.rerating_level as RectificationItem['rerating']) ?? null,
      reratingDeclined: f.rerating_declined === 1,
      rootCause: f.root_cause,
      actionTaken,
      closedAt: f.closed_at,
      reopenedCount: f.reopened_count,
      writtenOff: w ? { kind: w.kind as 'mistaken' | 'malicious', approvedAt: w.approved_at } : null,
    };
    const now = new Date(this.o.clock.now()).toISOString();
    const r = await trx
      .insertInto('uplink_outbox')
      .values(newRow(item, { caseNo: a.case_no, orderKey: `followup:${f.followup_id}`, at: e.at, afterId }, now))
      .onConflict((oc) => oc.column('item_key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 'queued' : 'known';
  }

  /**
   * The row the record must follow: the 差评's previous record, else its rating. 'wait' while the
   * rating may still be queued; 'never' if the ratings' enqueuer went past it and queued nothing.
   */
  private async predecessor(trx: Tx, assessId: string): Promise<number | 'wait' | 'never'> {
    const before = await trx
      .selectFrom('uplink_outbox')
      .select('id')
      .where('assess_id', '=', assessId)
      .where('kind', '=', 'rectification')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (before) return before.id;
    const rating = await trx.selectFrom('uplink_outbox').select('id').where('item_key', '=', `rating:${assessId}`).executeTakeFirst();
    if (rating) return rating.id;
    if (await trx.selectFrom('uplink_held').select('assess_id').where('assess_id', '=', assessId).executeTakeFirst()) return 'wait';
    const logged = await trx
      .selectFrom('assessment_log')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('assess_id', '=', assessId)
      .executeTakeFirst();
    const followed = (await trx.selectFrom('cursors').select('position').where('name', '=', RATINGS_CURSOR).executeTakeFirst())?.position ?? 0;
    return followed < Number(logged?.seq ?? 0) ? 'wait' : 'never';
  }

  private neverSent(assessId: string): Queued {
    // Cannot happen for a 差评 (every one is queued, sent or refused); if it does, its follow-up stays home.
    this.o.logger.warn({ assessId }, 'a 差评 the uplink never queued: its follow-up records are not sent');
    return 'skipped';
  }
}
