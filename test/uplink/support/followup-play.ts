/**
 * A 差评's follow-up as the follow-up feature writes it (gateway/followup/followup-writer.ts): each
 * step appends its event through the feature's own appendEvent and updates the `followups`
 * projection in the same store transaction, then the bus hears 'followups-changed'. The values
 * each step sets are those of gateway/followup/followup-steps.ts (a bad 再评价 reopens: rectified and
 * called-back cleared, the reply kept). Only what the uplink reads is played; who may take a step,
 * deadlines and alerts are the feature's and not tested here.
 */
import type { Updateable } from 'kysely';
import type { GatewayEventBus } from '../../../gateway/feature.js';
import { appendEvent, type EventKind } from '../../../gateway/followup/followup-events.js';
import type { GatewayStore } from '../../../gateway/store/database.js';
import type { FollowupsTable } from '../../../gateway/store/tables.js';

export const HANDLER = 'handler-wang';

export class FollowupPlay {
  constructor(
    private readonly store: GatewayStore,
    private readonly events: GatewayEventBus,
    private readonly now: () => string,
  ) {}

  /** 受理: the follow-up opens on a 差评 (the opener's 'received'). */
  async open(assessId: string): Promise<string> {
    const followupId = `fu-${assessId}`;
    const at = this.now();
    await this.store.write(async (trx) => {
      await trx
        .insertInto('followups')
        .values({
          followup_id: followupId,
          assess_id: assessId,
          department_id: null,
          window_id: 'w-01',
          staff_id: 'staff-07',
          opened_at: at,
          state: 'open',
          step: 'received',
          due_date: '2099-01-09',
          due_at: '2099-01-09T15:59:59.999Z',
        } as never)
        .execute();
      await appendEvent(trx, { followupId, kind: 'received', actor: 'system', at, data: { routedTo: null, dueDate: '2099-01-09' } });
    });
    this.events.emit('followups-changed', { by: 'followup' });
    return followupId;
  }

  async step(followupId: string, kind: EventKind, set: Updateable<FollowupsTable>, data: Record<string, unknown> = {}, note: string | null = null): Promise<void> {
    await this.store.write(async (trx) => {
      if (Object.keys(set).length > 0) await trx.updateTable('followups').set(set).where('followup_id', '=', followupId).execute();
      await appendEvent(trx, { followupId, kind, actor: HANDLER, at: this.now(), note, data });
    });
    this.events.emit('followups-changed', { by: 'followup' });
  }

  verify = (id: string, finding: 'true' | 'untrue' | 'partly') =>
    this.step(id, 'verified', { finding, step: 'rectifying' }, { finding, raterReached: true }, '已电话联系评价人核实');
  resolve = (id: string, resolution: 'immediate' | 'deadline' | 'explained') => this.step(id, 'resolved', { resolution }, { resolution, dueDate: '2099-01-09' });
  rectify = (id: string) => this.step(id, 'rectified', { rectified_at: this.now() }, { onTime: true }, '已调整窗口排班');
  reply = (id: string) => this.step(id, 'replied', { replied_at: this.now(), step: 'replied' }, { method: 'phone' });

  /** 回访 with the rater's 再评价; a 差评-level one reopens the follow-up, as followup-steps.ts does. */
  async callBack(id: string, rerating: 1 | 2 | 3 | 4 | 5): Promise<void> {
    const at = this.now();
    if (rerating > 2) {
      await this.step(
        id,
        'called-back',
        { called_back_at: at, rerating_level: rerating, rerated_at: at, rerating_declined: 0, step: 'called-back' },
        { outcome: 'rerated', rerating },
      );
      return;
    }
    await this.store.write(async (trx) => {
      const f = await trx.selectFrom('followups').select('reopened_count').where('followup_id', '=', id).executeTakeFirstOrThrow();
      await trx
        .updateTable('followups')
        .set({
          rerating_level: rerating,
          rerated_at: at,
          rerating_declined: 0,
          called_back_at: null,
          rectified_at: null,
          resolution: null,
          step: 'rectifying',
          reopened_count: f.reopened_count + 1,
        })
        .where('followup_id', '=', id)
        .execute();
      await appendEvent(trx, { followupId: id, kind: 'called-back', actor: HANDLER, at, data: { outcome: 'rerated', rerating } });
      await appendEvent(trx, { followupId: id, kind: 'reopened', actor: 'system', at, data: { rerating, dueDate: '2099-01-16' } });
    });
    this.events.emit('followups-changed', { by: 'followup' });
  }

  close = (id: string, rootCause: 'staff' | 'process' | 'system' | 'policy', actionTaken: string) =>
    this.step(
      id,
      'closed',
      { state: 'closed', step: 'closed', closed_at: this.now(), root_cause: rootCause, action_taken: actionTaken },
      { rootCause, actionTaken, writtenOff: null },
    );

  /** 核销 after an approved appeal (followup-appeals.ts): the write-off and its event. */
  async writeOff(id: string, assessId: string, kind: 'mistaken' | 'malicious'): Promise<void> {
    const at = this.now();
    await this.store.write(async (trx) => {
      await trx
        .insertInto('write_offs')
        .values({ assess_id: assessId, appeal_id: `ap-${assessId}`, kind, approved_by: 'supervisor-li', approved_at: at, reason: '经核实为误评' })
        .execute();
      await appendEvent(trx, { followupId: id, kind: 'written-off', actor: 'supervisor-li', at, note: '经核实为误评', data: { appealId: `ap-${assessId}`, kind } });
    });
    this.events.emit('followups-changed', { by: 'followup' });
  }
}
