/**
 * Reading follow-ups for the console: a page of them (filtered, scoped to what the user may see),
 * one with its events and appeals, and counts per department (what needs attention: unassigned,
 * due soon, overdue, escalated — the department's notification). Lookups are batched per page.
 */
import type { z } from 'zod';
import type { SessionUser } from '../http/console-auth.js';
import { visibleDepartments } from '../http/scope.js';
import type { Db } from '../store/database.js';
import { CONTACT_MASK, stateOf, type ContactState } from './contact-escrow.js';
import { appealsOf } from './followup-appeals.js';
import { FollowupError } from './followup-error.js';
import { pendingExtension } from './followup-extensions.js';
import { nextAction, type Followup } from './followup-progress.js';
import type { FollowupDetailSchema, FollowupSummarySchema, FollowupView } from './followup-schemas.js';
import { mustSee } from './followup-access.js';

export interface ListFilters {
  state?: 'open' | 'closed' | undefined;
  step?: string | undefined;
  departmentId?: string | undefined;
  overdue?: boolean | undefined;
  dueSoon?: boolean | undefined;
  escalated?: boolean | undefined;
  handler?: string | undefined;
  before?: string | undefined;
  limit: number;
}

export class FollowupViews {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** How long before a deadline a follow-up counts as due soon. */
    private readonly remindMs: number,
  ) {}

  async list(user: SessionUser, f: ListFilters): Promise<{ followups: FollowupView[]; nextBefore: string | null }> {
    const scope = await visibleDepartments(this.db, user);
    if (scope !== null && scope.length === 0) return { followups: [], nextBefore: null };
    const now = new Date(this.now()).toISOString();
    const soon = new Date(this.now() + this.remindMs).toISOString();
    let q = this.db
      .selectFrom('followups')
      .selectAll()
      .orderBy('followup_id', 'desc')
      .limit(f.limit + 1);
    if (scope !== null) q = q.where('department_id', 'in', scope);
    if (f.state) q = q.where('state', '=', f.state);
    if (f.step) q = q.where('step', '=', f.step);
    if (f.departmentId) q = q.where('department_id', '=', f.departmentId);
    if (f.handler) q = q.where('handler', '=', f.handler === 'me' ? user.username : f.handler);
    if (f.before) q = q.where('followup_id', '<', f.before);
    if (f.overdue || f.dueSoon) q = q.where('state', '=', 'open').where('rectified_at', 'is', null);
    if (f.overdue) q = q.where('due_at', '<=', now);
    if (f.dueSoon) q = q.where('due_at', '>', now).where('due_at', '<=', soon);
    if (f.escalated) q = q.where('escalation_level', '>', 0);
    const rows = await q.execute();
    const page = rows.slice(0, f.limit);
    return { followups: await this.views(page), nextBefore: rows.length > f.limit ? page[page.length - 1]!.followup_id : null };
  }

  async one(user: SessionUser, id: string): Promise<z.infer<typeof FollowupDetailSchema>> {
    const f = await this.db.selectFrom('followups').selectAll().where('followup_id', '=', id).executeTakeFirst();
    if (!f) throw new FollowupError('not-found', `no follow-up ${id}`);
    await mustSee(this.db, user, f);
    const [view] = await this.views([f]);
    const a = await this.db.selectFrom('assessments').select(['reasons', 'comment', 'item_code', 'item_name', 'case_no']).where('assess_id', '=', f.assess_id).executeTakeFirst();
    // The case number leads to the applicant (R10): the handler needs it to reconstruct what happened, a department head not handling it does not.
    const showCase = user.role !== 'dept-head' || f.handler === user.username;
    const events = await this.db.selectFrom('followup_events').selectAll().where('followup_id', '=', id).orderBy('seq').execute();
    return {
      followup: view!,
      rating: {
        reasons: a?.reasons ? (JSON.parse(a.reasons) as number[]) : null,
        comment: a?.comment ?? null,
        itemCode: a?.item_code ?? null,
        itemName: a?.item_name ?? null,
        caseNo: showCase ? (a?.case_no ?? null) : null,
      },
      events: events.map((e) => ({
        seq: e.seq,
        kind: e.kind as never,
        actor: e.actor,
        at: e.at,
        note: e.note,
        data: e.data ? (JSON.parse(e.data) as Record<string, unknown>) : null,
        attachments: e.attachments ? (JSON.parse(e.attachments) as never[]) : [],
      })),
      appeals: (await appealsOf(this.db, { followupIds: [id] })) as never,
    };
  }

  async summary(user: SessionUser): Promise<z.infer<typeof FollowupSummarySchema>> {
    const scope = await visibleDepartments(this.db, user);
    const empty = () => ({ open: 0, unassigned: 0, dueSoon: 0, overdue: 0, escalated: 0 });
    if (scope !== null && scope.length === 0) return { totals: empty(), departments: [] };
    let q = this.db.selectFrom('followups').select(['department_id', 'handler', 'due_at', 'rectified_at', 'escalation_level']).where('state', '=', 'open');
    if (scope !== null) q = q.where('department_id', 'in', scope);
    const names = await this.departmentNames();
    const now = new Date(this.now()).toISOString();
    const soon = new Date(this.now() + this.remindMs).toISOString();
    const totals = empty();
    const per = new Map<string, ReturnType<typeof empty>>();
    for (const r of await q.execute()) {
      const key = r.department_id ?? '';
      const c = per.get(key) ?? empty();
      per.set(key, c);
      const open = r.rectified_at === null && r.due_at !== null;
      for (const t of [c, totals]) {
        t.open++;
        if (r.handler === null) t.unassigned++;
        if (open && r.due_at! <= now) t.overdue++;
        if (open && r.due_at! > now && r.due_at! <= soon) t.dueSoon++;
        if (r.escalation_level > 0) t.escalated++;
      }
    }
    return {
      totals,
      departments: [...per].map(([id, c]) => ({ departmentId: id || null, department: id ? (names.get(id)?.name ?? null) : null, ...c })),
    };
  }

  /** Views of these rows, with what each needs from other tables. */
  async views(rows: Followup[]): Promise<FollowupView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.followup_id);
    const assessIds = rows.map((r) => r.assess_id);
    const names = await this.departmentNames();
    const ratings = new Map(
      (await this.db.selectFrom('assessments').select(['assess_id', 'level', 'channel', 'pressed_at', 'window_number']).where('assess_id', 'in', assessIds).execute()).map((a) => [
        a.assess_id,
        a,
      ]),
    );
    const staffIds = [...new Set(rows.flatMap((r) => (r.staff_id ? [r.staff_id] : [])))];
    const staff = new Map(
      staffIds.length ? (await this.db.selectFrom('staff').select(['staff_id', 'name']).where('staff_id', 'in', staffIds).execute()).map((s) => [s.staff_id, s.name]) : [],
    );
    const writeOffs = new Map((await this.db.selectFrom('write_offs').selectAll().where('assess_id', 'in', assessIds).execute()).map((w) => [w.assess_id, w]));
    const contacts = new Map(
      (await this.db.selectFrom('followup_contact_keys').select(['followup_id', 'opening_key', 'purged_at']).where('followup_id', 'in', ids).execute()).map((k) => [
        k.followup_id,
        k,
      ]),
    );
    const appealing = new Set(
      (await this.db.selectFrom('appeals').select('followup_id').where('followup_id', 'in', ids).where('state', '=', 'pending').execute()).map((a) => a.followup_id),
    );
    const now = new Date(this.now()).toISOString();
    const soon = new Date(this.now() + this.remindMs).toISOString();
    const out: FollowupView[] = [];
    for (const f of rows) {
      const a = ratings.get(f.assess_id);
      const w = writeOffs.get(f.assess_id);
      const k = contacts.get(f.followup_id);
      const contactState: ContactState = k ? stateOf(k) : 'none';
      const waiting = f.state === 'open' && f.rectified_at === null && f.due_at !== null;
      const ext = f.state === 'open' ? await pendingExtension(this.db, f.followup_id) : null;
      out.push({
        followupId: f.followup_id,
        assessId: f.assess_id,
        departmentId: f.department_id,
        department: f.department_id ? (names.get(f.department_id)?.name ?? null) : null,
        windowId: f.window_id,
        windowNumber: a?.window_number ?? null,
        staffId: f.staff_id,
        staffName: f.staff_id ? (staff.get(f.staff_id) ?? null) : null,
        level: a?.level ?? 0,
        channel: a?.channel ?? '',
        pressedAt: a?.pressed_at ?? '',
        openedAt: f.opened_at,
        state: f.state,
        step: f.step,
        next: nextAction(f),
        handler: f.handler,
        finding: f.finding,
        resolution: f.resolution,
        dueDate: f.due_date,
        dueAt: f.due_at,
        overdue: waiting && f.due_at! <= now,
        dueSoon: waiting && f.due_at! > now && f.due_at! <= soon,
        extendedDays: f.extended_days,
        escalationLevel: f.escalation_level,
        escalatedTo: f.escalation_level > 0 ? escalatedTo(names, f.department_id, f.escalation_level) : null,
        rectifiedAt: f.rectified_at,
        repliedAt: f.replied_at,
        calledBackAt: f.called_back_at,
        rerating: f.rerating_level,
        reratedAt: f.rerated_at,
        reratingDeclined: f.rerating_declined === 1,
        rootCause: f.root_cause,
        actionTaken: f.action_taken,
        closedAt: f.closed_at,
        reopenedCount: f.reopened_count,
        contact: { state: contactState, masked: contactState === 'sealed' ? CONTACT_MASK : null, openedCount: f.contact_opened_count, purgedAt: f.contact_purged_at },
        writeOff: w ? { appealId: w.appeal_id, kind: w.kind, approvedBy: w.approved_by, approvedAt: w.approved_at, reason: w.reason } : null,
        pendingExtension: ext ? { days: ext.days, requestedBy: ext.requestedBy, requestedAt: ext.requestedAt, reason: ext.reason } : null,
        pendingAppeal: appealing.has(f.followup_id),
      });
    }
    return out;
  }

  private async departmentNames(): Promise<Map<string, { name: string; parent: string | null }>> {
    return new Map(
      (await this.db.selectFrom('departments').select(['department_id', 'name', 'parent_id']).execute()).map((d) => [d.department_id, { name: d.name, parent: d.parent_id }]),
    );
  }
}

/** The department `level` steps above `departmentId`; past the top of the tree, the hall's managers (null). */
export function escalatedTo(
  names: Map<string, { name: string; parent: string | null }>,
  departmentId: string | null,
  level: number,
): { departmentId: string | null; department: string | null } {
  let at = departmentId;
  const seen = new Set<string>();
  for (let i = 0; i < level && at !== null; i++) {
    seen.add(at);
    const parent = names.get(at)?.parent ?? null;
    at = parent !== null && !seen.has(parent) ? parent : null;
  }
  return { departmentId: at, department: at ? (names.get(at)?.name ?? null) : null };
}
