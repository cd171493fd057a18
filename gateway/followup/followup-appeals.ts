/**
 * Appeal and write-off (申诉 → 核销, RULES.md R14): the rated unit — its department head, or a
 * manager — appeals a 差评 with grounds and evidence; the write-off approver role (supervisors by
 * default: the 政务服务主管部门, Ganzi §9.2) approves it as mistaken (误评) or malicious (恶意差评), or
 * refuses. Approval adds a row to `write_offs` (append-only) and a `written-off` event, and ends an
 * open follow-up (nothing is left to rectify or escalate): the rating
 * stays stored and visible with its write-off, and leaves every statistic (the live hall, reports,
 * and the province through the rectification record). One appeal waits per 差评 at a time; a
 * written-off rating is not appealed again. Each filing and decision is audited.
 */
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import type { SessionUser } from '../http/console-auth.js';
import type { Db } from '../store/database.js';
import type { AppealBody, AppealDecisionBody } from './followup-bodies.js';
import { mustAct, mustApprove, mustSee } from './followup-access.js';
import { FollowupError } from './followup-error.js';
import { alertSubject, DUE_SOON_ALERT, OVERDUE_ALERT, type StepParts } from './followup-steps.js';

export interface AppealView {
  appealId: string;
  assessId: string;
  followupId: string | null;
  appellant: string;
  filedAt: string;
  grounds: string;
  evidence: unknown[];
  state: 'pending' | 'approved' | 'refused';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

export async function appealsOf(db: Db, where: { followupIds?: string[]; departmentIds?: string[]; appealId?: string; state?: string; limit?: number }): Promise<AppealView[]> {
  let q = db
    .selectFrom('appeals')
    .selectAll()
    .orderBy('filed_at', 'desc')
    .limit(where.limit ?? 500);
  if (where.appealId) q = q.where('appeal_id', '=', where.appealId);
  if (where.departmentIds) {
    const depts = where.departmentIds.length ? where.departmentIds : ['\u0000'];
    q = q.where('followup_id', 'in', db.selectFrom('followups').select('followup_id').where('department_id', 'in', depts));
  }
  if (where.followupIds) q = q.where('followup_id', 'in', where.followupIds.length ? where.followupIds : ['\u0000']);
  if (where.state) q = q.where('state', '=', where.state as 'pending');
  return (await q.execute()).map((a) => ({
    appealId: a.appeal_id,
    assessId: a.assess_id,
    followupId: a.followup_id,
    appellant: a.appellant,
    filedAt: a.filed_at,
    grounds: a.grounds,
    evidence: a.evidence ? (JSON.parse(a.evidence) as unknown[]) : [],
    state: a.state,
    decidedBy: a.decided_by,
    decidedAt: a.decided_at,
    decisionNote: a.decision_note,
  }));
}

export class FollowupAppeals {
  constructor(private readonly p: StepParts) {}

  /** File an appeal against the follow-up's 差评; answers the appeal id. */
  async file(id: string, user: SessionUser, b: z.infer<typeof AppealBody>, remote: string | null): Promise<string> {
    const evidence = this.p.files.resolve(b.evidence);
    return this.p.writer.change<string>(id, user.username, async (trx, f, now) => {
      await mustAct(trx, user, f);
      if (await trx.selectFrom('write_offs').select('assess_id').where('assess_id', '=', f.assess_id).executeTakeFirst()) {
        throw new FollowupError('conflict', 'this rating is written off already');
      }
      if (await trx.selectFrom('appeals').select('appeal_id').where('assess_id', '=', f.assess_id).where('state', '=', 'pending').executeTakeFirst()) {
        throw new FollowupError('conflict', 'an appeal of this rating already waits for a decision');
      }
      const appealId = `ap-${uuidv7()}`;
      await trx
        .insertInto('appeals')
        .values({
          appeal_id: appealId,
          assess_id: f.assess_id,
          followup_id: id,
          appellant: user.username,
          filed_at: now,
          grounds: b.grounds,
          evidence: evidence.length ? JSON.stringify(evidence) : null,
          state: 'pending',
          decided_by: null,
          decided_at: null,
          decision_note: null,
        })
        .execute();
      return {
        events: [{ kind: 'appeal-filed', note: b.grounds, data: { appealId }, attachments: evidence }],
        audit: { action: 'appeal-filed', subject: appealId, detail: { followupId: id }, remote },
        answer: appealId,
      };
    });
  }

  private async clearAlerts(followupId: string): Promise<void> {
    await this.p.alerts.clear(DUE_SOON_ALERT, alertSubject(followupId));
    await this.p.alerts.clear(OVERDUE_ALERT, alertSubject(followupId));
  }

  async decide(appealId: string, user: SessionUser, b: z.infer<typeof AppealDecisionBody>, remote: string | null): Promise<void> {
    const appeal = await this.p.db.selectFrom('appeals').select('followup_id').where('appeal_id', '=', appealId).executeTakeFirst();
    if (!appeal?.followup_id) throw new FollowupError('not-found', `no appeal ${appealId}`);
    await this.p.writer.change(appeal.followup_id, user.username, async (trx, f, now) => {
      await mustSee(trx, user, f);
      const row = await trx.selectFrom('appeals').select(['state', 'appellant']).where('appeal_id', '=', appealId).executeTakeFirstOrThrow();
      if (row.state !== 'pending') throw new FollowupError('conflict', `appeal ${appealId} was ${row.state} already`);
      await mustApprove(trx, user, this.p.config.approvers.writeOff, f, row.appellant, 'a write-off');
      const decided = await trx
        .updateTable('appeals')
        .set({ state: b.approve ? 'approved' : 'refused', decided_by: user.username, decided_at: now, decision_note: b.reason })
        .where('appeal_id', '=', appealId)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      if (Number(decided.numUpdatedRows) !== 1) throw new FollowupError('conflict', `appeal ${appealId} was decided meanwhile`);
      const audit = {
        action: b.approve ? 'write-off-approved' : 'appeal-refused',
        subject: appealId,
        detail: { followupId: f.followup_id, kind: b.kind ?? null, role: user.role },
        remote,
      };
      if (!b.approve) return { events: [{ kind: 'appeal-refused', note: b.reason, data: { appealId } }], audit };
      await trx
        .insertInto('write_offs')
        .values({ assess_id: f.assess_id, appeal_id: appealId, kind: b.kind!, approved_by: user.username, approved_at: now, reason: b.reason })
        .execute();
      // Written off, the 差评 no longer counts (R14): nothing is left to rectify, answer or escalate,
      // so its follow-up ends here (no root cause: the rating itself was the mistake).
      const ends = f.state === 'open';
      return {
        ...(ends ? { set: { state: 'closed', step: 'closed', closed_at: now, action_taken: b.reason } } : {}),
        events: [{ kind: 'written-off', note: b.reason, data: { appealId, kind: b.kind, approvedBy: user.username, role: user.role } }],
        audit,
        ...(ends ? { after: () => this.clearAlerts(f.followup_id) } : {}),
      };
    });
  }
}
