/**
 * Extensions of a rectification deadline (RULES.md R13; Langfang art. 21: the reason is given to the
 * superior department and to the rater, 经批准后延期整改, at most 2 working days). The handler asks,
 * with the reason; an approver (followup-access.ts mustApprove: the configured roles, never the
 * asker, a department head only from above) approves or refuses; both are events and audited. At
 * most one request waits at a time, and all extensions together stay within the profile's maximum.
 * A profile that needs no approval grants the request at once.
 */
import type { z } from 'zod';
import type { SessionUser } from '../http/console-auth.js';
import type { Db, Tx } from '../store/database.js';
import type { DecisionBody, ExtensionBody } from './followup-bodies.js';
import { mustApprove, mustBeHandler, mustSee } from './followup-access.js';
import { FollowupError } from './followup-error.js';
import { mustBeNext } from './followup-progress.js';
import type { StepParts } from './followup-steps.js';

export interface PendingExtension {
  seq: number;
  days: number;
  requestedBy: string;
  requestedAt: string;
  reason: string | null;
}

/** The request that waits for a decision, if any. */
export async function pendingExtension(db: Tx | Db, followupId: string): Promise<PendingExtension | null> {
  const last = await db
    .selectFrom('followup_events')
    .select(['seq', 'kind', 'actor', 'at', 'note', 'data'])
    .where('followup_id', '=', followupId)
    .where('kind', 'in', ['extension-requested', 'extension-approved', 'extension-refused'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last?.kind !== 'extension-requested') return null;
  const data = JSON.parse(last.data ?? '{}') as { days?: number };
  return { seq: last.seq, days: data.days ?? 0, requestedBy: last.actor, requestedAt: last.at, reason: last.note };
}

export class FollowupExtensions {
  constructor(private readonly p: StepParts) {}

  async request(id: string, user: SessionUser, b: z.infer<typeof ExtensionBody>, remote: string | null): Promise<void> {
    const attachments = this.p.files.resolve(b.attachments);
    const rule = this.p.deadlines.profile.extension;
    await this.p.writer.change(id, user.username, async (trx, f) => {
      await mustSee(trx, user, f);
      mustBeNext(f, 'rectify');
      mustBeHandler(user, f);
      if (rule.maxDays === 0) throw new FollowupError('invalid', `days: the ${this.p.config.profile} profile allows no extension`);
      if (f.extended_days + b.days > rule.maxDays) {
        throw new FollowupError('invalid', `days: at most ${rule.maxDays} ${rule.unit} days in all (${f.extended_days} granted already)`);
      }
      if (await pendingExtension(trx, id)) throw new FollowupError('conflict', 'an extension request already waits for a decision');
      const requested = { kind: 'extension-requested' as const, note: b.reason, data: { days: b.days, dueDate: f.due_date }, attachments };
      const audit = { action: 'followup-extension-requested', subject: id, detail: { days: b.days }, remote };
      if (rule.approvalRequired) return { events: [requested], audit };
      const due = this.p.deadlines.extended(f.due_date!, b.days);
      return {
        set: { due_date: due, due_at: this.p.deadlines.endOf(due), extended_days: f.extended_days + b.days },
        events: [requested, { kind: 'extension-approved', actor: 'system', note: 'the profile needs no approval', data: { days: b.days, dueDate: due } }],
        audit,
      };
    });
  }

  async decide(id: string, user: SessionUser, b: z.infer<typeof DecisionBody>, remote: string | null): Promise<void> {
    await this.p.writer.change(id, user.username, async (trx, f) => {
      await mustSee(trx, user, f);
      const pending = await pendingExtension(trx, id);
      if (!pending) throw new FollowupError('out-of-order', 'no extension request waits for a decision (the handler asks: POST /api/followups/{id}/extensions)');
      if (f.state === 'closed') throw new FollowupError('closed', `follow-up ${id} is closed`);
      await mustApprove(trx, user, this.p.config.approvers.extension, f, pending.requestedBy, 'an extension');
      const audit = { action: b.approve ? 'followup-extension-approved' : 'followup-extension-refused', subject: id, detail: { days: pending.days, role: user.role }, remote };
      if (!b.approve) return { events: [{ kind: 'extension-refused', note: b.note, data: { days: pending.days, role: user.role } }], audit };
      if (f.rectified_at !== null || !f.due_date) throw new FollowupError('out-of-order', 'the rectification is recorded already: there is no deadline left to extend');
      if (f.extended_days + pending.days > this.p.deadlines.profile.extension.maxDays) throw new FollowupError('invalid', 'the request is past the profile maximum now');
      const due = this.p.deadlines.extended(f.due_date, pending.days);
      return {
        set: { due_date: due, due_at: this.p.deadlines.endOf(due), extended_days: f.extended_days + pending.days },
        events: [{ kind: 'extension-approved', note: b.note, data: { days: pending.days, dueDate: due, role: user.role } }],
        audit,
      };
    });
  }
}
