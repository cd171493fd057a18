/**
 * The steps of a 差评's follow-up (RULES.md "The 差评 follow-up, assembled from the seeds"), each an
 * append-only event plus the projection, in one transaction (followup-writer.ts), each refused out
 * of turn with a 409 saying what must come first (followup-progress.ts):
 *
 *   assign (a manager or the department head) → verify (核实: 属实 / 不属实 / 部分属实; was the rater
 *   reached) → resolve (立行立改 | 限期整改 with its due day | 解释说明) → rectify (what was done, or
 *   the explanation) → reply (反馈 to the rater) → call-back (回访 and the rater's 再评价; a 差评-level
 *   再评价 reopens it with a fresh deadline) → close (办结: root cause and action taken).
 *
 * Closing needs the reply, and the call-back unless the rater left no number to call (nothing to
 * call back) or `callBackAttempts` calls found nobody; a written-off rating (R14) closes at any step.
 */
import type { AlertBoard } from '../alerts/alert-board.js';
import { chinaDate } from '../calendar/working-days.js';
import type { SessionUser } from '../http/console-auth.js';
import { visibleDepartments } from '../http/scope.js';
import type { Db, Tx } from '../store/database.js';
import type { Attachment, AttachmentStore } from './attachment-store.js';
import type { ContactEscrow } from './contact-escrow.js';
import type { AssignBody, CallBackBody, CloseBody, ReplyBody, ResolveBody, StepNoteBody, VerifyBody } from './followup-bodies.js';
import type { FollowupConfig } from './followup-config.js';
import type { FollowupDeadlines } from './followup-deadlines.js';
import { FollowupError } from './followup-error.js';
import { mustAct, mustBeHandler, mustSee } from './followup-access.js';
import { mustBeNext, type Followup } from './followup-progress.js';
import type { Writer } from './followup-writer.js';
import type { z } from 'zod';

export interface StepParts {
  /** For reads outside a step's transaction. */
  db: Db;
  writer: Writer;
  deadlines: FollowupDeadlines;
  files: AttachmentStore;
  escrow: ContactEscrow;
  alerts: AlertBoard;
  config: FollowupConfig;
}

/** The alerts a follow-up may have raised (followup-scheduler.ts), cleared once its rectification is done. */
export const DUE_SOON_ALERT = 'followup-due-soon';
export const OVERDUE_ALERT = 'followup-overdue';
export const alertSubject = (followupId: string) => `followup:${followupId}`;

/** When the current round began: opened, or reopened by a bad 再评价. */
async function roundStart(trx: Tx, f: Followup): Promise<string> {
  const r = await trx
    .selectFrom('followup_events')
    .select('at')
    .where('followup_id', '=', f.followup_id)
    .where('kind', '=', 'reopened')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.at ?? f.opened_at;
}

export class FollowupSteps {
  constructor(private readonly p: StepParts) {}

  private files(refs: z.infer<typeof StepNoteBody>['attachments']): Attachment[] {
    return this.p.files.resolve(refs);
  }

  private clearAlerts(id: string): () => Promise<void> {
    return async () => {
      await this.p.alerts.clear(DUE_SOON_ALERT, alertSubject(id));
      await this.p.alerts.clear(OVERDUE_ALERT, alertSubject(id));
    };
  }

  async assign(id: string, user: SessionUser, b: z.infer<typeof AssignBody>, remote: string | null): Promise<void> {
    await this.p.writer.change(id, user.username, async (trx, f) => {
      await mustAct(trx, user, f);
      if (f.state === 'closed') throw new FollowupError('closed', `follow-up ${id} is closed`);
      const h = await trx.selectFrom('users').select(['username', 'role', 'department_id', 'disabled']).where('username', '=', b.handler).executeTakeFirst();
      if (!h || h.disabled) throw new FollowupError('invalid', `handler: no console account ${b.handler}`);
      if (h.role !== 'manager' && h.role !== 'dept-head') throw new FollowupError('invalid', `handler: ${b.handler} is a ${h.role}; a handler is a manager or a department head`);
      const handlerSees =
        h.role === 'manager' || ((await visibleDepartments(trx, { username: h.username, role: 'dept-head', departmentId: h.department_id })) ?? []).includes(f.department_id ?? '');
      if (!handlerSees) {
        throw new FollowupError('invalid', `handler: ${b.handler} heads another department and cannot see this follow-up`);
      }
      return {
        set: { handler: b.handler, step: f.step === 'received' ? 'verifying' : f.step },
        events: [{ kind: 'assigned', note: b.note ?? null, data: { handler: b.handler, previous: f.handler } }],
        audit: { action: 'followup-assigned', subject: id, detail: { handler: b.handler, previous: f.handler }, remote },
      };
    });
  }

  async verify(id: string, user: SessionUser, b: z.infer<typeof VerifyBody>): Promise<void> {
    const attachments = this.files(b.attachments);
    await this.p.writer.change(id, user.username, async (trx, f) => {
      await mustSee(trx, user, f);
      mustBeNext(f, 'verify');
      mustBeHandler(user, f);
      return {
        set: { finding: b.finding, step: 'rectifying' },
        events: [{ kind: 'verified', note: b.note, data: { finding: b.finding, raterReached: b.raterReached }, attachments }],
      };
    });
  }

  async resolve(id: string, user: SessionUser, b: z.infer<typeof ResolveBody>): Promise<void> {
    const attachments = this.files(b.attachments);
    await this.p.writer.change(id, user.username, async (trx, f, now) => {
      await mustSee(trx, user, f);
      // Resolving again before the rectification is recorded changes the decision.
      mustBeNext(f, 'resolve', ['rectify']);
      mustBeHandler(user, f);
      if (f.finding === 'untrue' && b.resolution !== 'explained') {
        throw new FollowupError('invalid', 'resolution: a 差评 found untrue (不属实) is answered with an explanation (explained), or appealed (POST …/appeals)');
      }
      if (b.resolution !== 'deadline' && (b.category !== undefined || b.dueDate !== undefined)) {
        throw new FollowupError('invalid', 'category and dueDate go with resolution deadline (限期整改) only');
      }
      let due = f.due_date;
      if (b.resolution === 'immediate') due = this.p.deadlines.immediate(now, f.due_date);
      if (b.resolution === 'deadline') {
        const latest = this.p.deadlines.forCategory(await roundStart(trx, f), b.category ?? 'complex');
        if (b.dueDate !== undefined && (b.dueDate > latest || b.dueDate < chinaDate(new Date(now)))) {
          throw new FollowupError('invalid', `dueDate: between today and ${latest} (the ${b.category ?? 'complex'} deadline of the ${this.p.config.profile} profile)`);
        }
        due = b.dueDate ?? latest;
      }
      return {
        set: { resolution: b.resolution, due_date: due, due_at: due ? this.p.deadlines.endOf(due) : null },
        events: [{ kind: 'resolved', note: b.note, data: { resolution: b.resolution, category: b.category ?? null, dueDate: due }, attachments }],
      };
    });
  }

  async rectify(id: string, user: SessionUser, b: z.infer<typeof StepNoteBody>): Promise<void> {
    const attachments = this.files(b.attachments);
    await this.p.writer.change(id, user.username, async (trx, f, now) => {
      await mustSee(trx, user, f);
      mustBeNext(f, 'rectify');
      mustBeHandler(user, f);
      return {
        set: { rectified_at: now },
        events: [{ kind: 'rectified', note: b.note, data: { resolution: f.resolution, onTime: f.due_at === null || now <= f.due_at }, attachments }],
        after: this.clearAlerts(id),
      };
    });
  }

  async reply(id: string, user: SessionUser, b: z.infer<typeof ReplyBody>): Promise<void> {
    const attachments = this.files(b.attachments);
    await this.p.writer.change(id, user.username, async (trx, f, now) => {
      await mustSee(trx, user, f);
      mustBeNext(f, 'reply');
      mustBeHandler(user, f);
      return { set: { replied_at: now, step: 'replied' }, events: [{ kind: 'replied', note: b.note, data: { method: b.method }, attachments }] };
    });
  }

  async callBack(id: string, user: SessionUser, b: z.infer<typeof CallBackBody>): Promise<void> {
    await this.p.writer.change(id, user.username, async (trx, f, now) => {
      await mustSee(trx, user, f);
      mustBeNext(f, 'call-back');
      mustBeHandler(user, f);
      if (b.outcome === 'unreachable') return { events: [{ kind: 'call-back-failed', note: b.note }] };
      const rerated = b.outcome === 'rerated' ? b.rerating! : null;
      const calledBack = { called_back_at: now, rerating_level: rerated, rerated_at: rerated === null ? null : now, rerating_declined: rerated === null ? 1 : 0 };
      const event = { kind: 'called-back' as const, note: b.note, data: { outcome: b.outcome, rerating: rerated } };
      if (rerated === null || rerated > 2) return { set: { ...calledBack, step: 'called-back' }, events: [event] };
      // A 差评-level 再评价: the fix did not work. Back to rectifying, decided again, with a fresh deadline.
      const due = this.p.deadlines.onOpening(now);
      return {
        set: {
          ...calledBack,
          called_back_at: null,
          rectified_at: null,
          resolution: null,
          step: 'rectifying',
          reopened_count: f.reopened_count + 1,
          escalation_level: 0,
          due_date: due,
          due_at: this.p.deadlines.endOf(due),
        },
        events: [event, { kind: 'reopened', actor: 'system', note: `再评价 ${rerated}: the rater is not satisfied with the fix`, data: { rerating: rerated, dueDate: due } }],
      };
    });
  }

  async close(id: string, user: SessionUser, b: z.infer<typeof CloseBody>): Promise<void> {
    await this.p.writer.change(id, user.username, async (trx, f, now) => {
      await mustSee(trx, user, f);
      if (f.state === 'closed') throw new FollowupError('closed', `follow-up ${id} is closed already (${f.closed_at})`);
      mustBeHandler(user, f);
      const writtenOff = await trx.selectFrom('write_offs').select('kind').where('assess_id', '=', f.assess_id).executeTakeFirst();
      if (!writtenOff) await this.mustBeReadyToClose(trx, f);
      return {
        set: { state: 'closed', step: 'closed', closed_at: now, root_cause: b.rootCause, action_taken: b.actionTaken },
        events: [{ kind: 'closed', note: b.note ?? null, data: { rootCause: b.rootCause, actionTaken: b.actionTaken, writtenOff: writtenOff?.kind ?? null } }],
        after: this.clearAlerts(id),
      };
    });
  }

  /** Rectified (or explained), replied and called back — or the exceptions of the file's comment. */
  private async mustBeReadyToClose(trx: Tx, f: Followup): Promise<void> {
    if (f.step === 'called-back') return;
    // Not rectified or not replied yet: the refusal names the step due. A rater who left no number
    // is still answered (反馈 by public notice): only the call-back can be missing.
    if (f.step !== 'replied') return mustBeNext(f, 'close');
    // No number anyone can open (none left, or sealed to a key already destroyed): nobody to call back.
    if ((await this.p.escrow.stateOf(trx, f.followup_id)) !== 'sealed') return;
    const attempts = await trx
      .selectFrom('followup_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('followup_id', '=', f.followup_id)
      .where('kind', '=', 'call-back-failed')
      .executeTakeFirstOrThrow();
    if (Number(attempts.n) >= this.p.config.callBackAttempts) return;
    throw new FollowupError(
      'out-of-order',
      `close cannot come yet: first call the rater back (回访, POST /api/followups/{id}/call-back) — or record ${this.p.config.callBackAttempts} calls that reached nobody (${attempts.n} so far)`,
    );
  }

  /** A note on the record (a spot check, a call that changed nothing): managers, department heads in scope, supervisors, the handler. */
  async note(id: string, user: SessionUser, b: z.infer<typeof StepNoteBody>): Promise<void> {
    const attachments = this.files(b.attachments);
    await this.p.writer.change(id, user.username, async (trx, f) => {
      if (user.role === 'supervisor' || f.handler === user.username) await mustSee(trx, user, f);
      else await mustAct(trx, user, f);
      return { events: [{ kind: 'note', note: b.note, attachments }] };
    });
  }
}
