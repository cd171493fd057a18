/**
 * Opens the follow-up of every 差评 (RULES.md R12), whatever its channel and however late it came:
 * follows the ratings ledger's change log (`assessment_log`) on its own cursor, like the uplink
 * (uplink/enqueue.ts), and moves the cursor in the same transaction as it writes — a kill -9 at
 * any moment opens each follow-up exactly once. `followups.assess_id` is unique and the insert
 * does nothing on a conflict, so a second worker on the same database (or a replay) opens none twice
 * and writes no second `received` event.
 *
 *  - created / details of a 差评 (level ≤ 2, not an R7 default): open it if it is not open yet —
 *    routed (followup-routing.ts), due by the profile (followup-deadlines.ts), a `received` event
 *    by `system`; when the details bring a sealed call-back number, escrow its opening key
 *    (contact-escrow.ts) and note `details-received`.
 *  - superseded: a 差评 that a real rating replaced (R7 defaults are 基本满意, never 差评, so only a
 *    channel that replaces ratings could do this) is no longer the hall's rating: its open
 *    follow-up is withdrawn (closed, with the reason), not left to run to a deadline.
 */
import type { Selectable } from 'kysely';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { CalendarYearMissingError } from '../calendar/working-days.js';
import type { Clock } from '../feature.js';
import type { GatewayStore, Tx } from '../store/database.js';
import type { AssessmentsTable } from '../store/tables.js';
import type { ContactEscrow } from './contact-escrow.js';
import type { FollowupConfig } from './followup-config.js';
import type { FollowupDeadlines } from './followup-deadlines.js';
import { appendEvent, SYSTEM } from './followup-events.js';
import { routeOf } from './followup-routing.js';

const CURSOR = 'followups';

type Rated = Selectable<AssessmentsTable>;

/** The bottom two levels, 不满意 and 非常不满意: a 差评 (R1). */
const WORST_LEVELS = 2;

/** A 差评 the hall must follow up (R1): the bottom two levels, given by a rater (never a default). */
export function isFollowedUp(a: Pick<AssessmentsTable, 'level' | 'is_default'>): boolean {
  return a.level <= WORST_LEVELS && a.is_default === 0;
}

export interface OpenerOptions {
  store: GatewayStore;
  clock: Clock;
  logger: Logger;
  escrow: ContactEscrow;
  deadlines: FollowupDeadlines;
  routing: FollowupConfig['routing'];
}

export class FollowupOpener {
  constructor(private readonly o: OpenerOptions) {}

  /** Follow up to `chunk` ledger changes; answers how many were read and how many follow-ups changed. */
  pump(chunk = 500): Promise<{ read: number; changed: number }> {
    return this.o.store.write(async (trx) => {
      const now = new Date(this.o.clock.now()).toISOString();
      const cursor = await trx.selectFrom('cursors').select('position').where('name', '=', CURSOR).executeTakeFirst();
      const entries = await trx
        .selectFrom('assessment_log')
        .select(['seq', 'assess_id', 'change'])
        .where('seq', '>', cursor?.position ?? 0)
        .orderBy('seq')
        .limit(chunk)
        .execute();
      if (entries.length === 0) return { read: 0, changed: 0 };
      const ids = [...new Set(entries.map((e) => e.assess_id))];
      const rows = new Map<string, Rated>();
      for (let i = 0; i < ids.length; i += 500) {
        for (const a of await trx
          .selectFrom('assessments')
          .selectAll()
          .where('assess_id', 'in', ids.slice(i, i + 500))
          // Only the 差评 among them, the ones isFollowedUp keeps: most ratings are good, and reading
          // every column of each only to pass it by was 5 % of all the gateway allocated at 200
          // presses/s, about 4 kB a press (issue 14, profile-latency.ts with ALLOCATED=1).
          .where('level', '<=', WORST_LEVELS)
          .where('is_default', '=', 0)
          .execute())
          rows.set(a.assess_id, a);
      }
      let changed = 0;
      for (const e of entries) {
        const a = rows.get(e.assess_id);
        if (!a || !isFollowedUp(a)) continue;
        if (e.change === 'superseded' || a.superseded_by !== null) changed += await this.withdraw(trx, a, now);
        else changed += await this.ensureOpen(trx, a, e.change === 'details', now);
      }
      const last = entries[entries.length - 1]!.seq;
      await trx
        .insertInto('cursors')
        .values({ name: CURSOR, position: last })
        .onConflict((oc) => oc.column('name').doUpdateSet({ position: last }))
        .execute();
      return { read: entries.length, changed };
    });
  }

  /** Follow the log to its end. */
  async drain(): Promise<number> {
    let changed = 0;
    for (let r = await this.pump(); r.read > 0; r = await this.pump()) changed += r.changed;
    return changed;
  }

  private async ensureOpen(trx: Tx, a: Rated, detailsNow: boolean, now: string): Promise<number> {
    let changed = 0;
    let f = await trx.selectFrom('followups').select(['followup_id', 'state']).where('assess_id', '=', a.assess_id).executeTakeFirst();
    if (!f) {
      const routed = await routeOf(trx, a, this.o.routing);
      const due = this.dueOnOpening(now);
      const followupId = `fu-${uuidv7()}`;
      const inserted = await trx
        .insertInto('followups')
        .values({
          followup_id: followupId,
          assess_id: a.assess_id,
          department_id: routed.departmentId,
          window_id: a.window_id,
          staff_id: a.staff_id,
          opened_at: now,
          state: 'open',
          step: 'received',
          handler: null,
          finding: null,
          resolution: null,
          due_date: due,
          due_at: due ? this.o.deadlines.endOf(due) : null,
          rectified_at: null,
          replied_at: null,
          called_back_at: null,
          rerating_level: null,
          rerated_at: null,
          root_cause: null,
          action_taken: null,
          closed_at: null,
          contact_purged_at: null,
          reminded_due_at: null,
        })
        .onConflict((oc) => oc.column('assess_id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
        await appendEvent(trx, {
          followupId,
          kind: 'received',
          actor: SYSTEM,
          at: now,
          data: { routedTo: routed.departmentId, routedBy: routed.by, channel: a.channel, level: a.level, pressedAt: a.pressed_at, dueDate: due },
        });
        changed++;
      }
      f = await trx.selectFrom('followups').select(['followup_id', 'state']).where('assess_id', '=', a.assess_id).executeTakeFirstOrThrow();
    }
    if (a.details_at !== null && (detailsNow || changed > 0)) changed += await this.detailsCame(trx, f.followup_id, a, now);
    return changed;
  }

  private async detailsCame(trx: Tx, followupId: string, a: Rated, now: string): Promise<number> {
    const noted = await trx.selectFrom('followup_events').select('seq').where('followup_id', '=', followupId).where('kind', '=', 'details-received').executeTakeFirst();
    if (noted) return 0;
    const contact = a.contact_record_id ? await this.o.escrow.escrow(trx, followupId, a.contact_record_id, now) : 'none';
    if (contact === 'unopenable') this.o.logger.warn({ followupId }, 'a call-back number came sealed to a hall key already destroyed: nobody can open it');
    const reasons = a.reasons ? (JSON.parse(a.reasons) as number[]) : [];
    await appendEvent(trx, { followupId, kind: 'details-received', actor: SYSTEM, at: now, data: { reasons, comment: a.comment !== null, contact } });
    return 1;
  }

  private async withdraw(trx: Tx, a: Rated, now: string): Promise<number> {
    const f = await trx.selectFrom('followups').select('followup_id').where('assess_id', '=', a.assess_id).where('state', '=', 'open').executeTakeFirst();
    if (!f) return 0;
    const done = await trx
      .updateTable('followups')
      .set({ state: 'closed', step: 'closed', closed_at: now })
      .where('followup_id', '=', f.followup_id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) return 0;
    await appendEvent(trx, {
      followupId: f.followup_id,
      kind: 'withdrawn',
      actor: SYSTEM,
      at: now,
      note: `the rating was replaced by ${a.superseded_by ?? 'another rating'}: it is no longer the hall's rating`,
      data: { supersededBy: a.superseded_by },
    });
    return 1;
  }

  private dueOnOpening(now: string): string | null {
    try {
      return this.o.deadlines.onOpening(now);
    } catch (err) {
      if (!(err instanceof CalendarYearMissingError)) throw err;
      // Filled in by the scheduler once the calendar has the year (followup-scheduler.ts).
      this.o.logger.error({ year: err.year }, err.message);
      return null;
    }
  }
}
