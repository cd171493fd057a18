/**
 * Who may do what with a follow-up (docs/FOLLOWUP.md), decided in the API, not by
 * hiding buttons:
 *  - read: managers and supervisors the whole hall; a department head the follow-ups routed to their
 *    department or one below it (http/scope.ts). Hall IT and auditors: none (the auditor reads the
 *    audit log). A follow-up out of sight answers 404, as if it did not exist.
 *  - assign the handler, file an appeal, add a note: managers, and department heads in scope.
 *  - each step: the assigned handler only — one named person (Langfang art. 21: 指定专人).
 *  - approve an extension or a write-off: the configured roles (followup-config.ts), never whoever
 *    asked for it, and a department head only for a department strictly below their own (their
 *    上级主管部门 role, Langfang art. 21) — never the rated unit itself (RULES.md, "Each approval
 *    … by a role other than the rated unit"; Jilin §2.5.3).
 */
import type { SessionUser } from '../http/console-auth.js';
import { visibleDepartments } from '../http/scope.js';
import type { Db } from '../store/database.js';
import type { ApproverRole } from './followup-config.js';
import { FollowupError } from './followup-error.js';

/** Roles that read follow-ups (each route narrows further). */
export const FOLLOWUP_READERS = ['manager', 'dept-head', 'supervisor'] as const;
/** Roles that act on them (assign, appeal, notes); steps are the handler's. */
export const FOLLOWUP_ACTORS = ['manager', 'dept-head'] as const;

interface Routed {
  followup_id: string;
  department_id: string | null;
  handler: string | null;
}

/** Whether `user` sees a follow-up routed to `departmentId`. */
export async function sees(db: Db, user: SessionUser, departmentId: string | null): Promise<boolean> {
  const scope = await visibleDepartments(db, user);
  return scope === null || (departmentId !== null && scope.includes(departmentId));
}

/** 404 unless `user` may read it (a follow-up out of sight does not exist for them). */
export async function mustSee(db: Db, user: SessionUser, f: Routed): Promise<void> {
  if (!(await sees(db, user, f.department_id))) throw new FollowupError('not-found', `no follow-up ${f.followup_id}`);
}

/** Managers, and department heads in scope, assign, appeal and note. */
export async function mustAct(db: Db, user: SessionUser, f: Routed): Promise<void> {
  await mustSee(db, user, f);
  if (user.role !== 'manager' && user.role !== 'dept-head') throw new FollowupError('forbidden', 'only a manager or the department head may do this');
}

export function mustBeHandler(user: SessionUser, f: Routed): void {
  if (f.handler === null) throw new FollowupError('out-of-order', 'nobody handles this follow-up yet: assign a handler first (POST /api/followups/{id}/assign)');
  if (f.handler !== user.username) throw new FollowupError('forbidden', `only the assigned handler (${f.handler}) does the steps of this follow-up`);
}

/** The departments above `departmentId`, nearest first. */
export async function ancestorsOf(db: Db, departmentId: string | null): Promise<Array<{ id: string; name: string }>> {
  if (!departmentId) return [];
  const all = new Map((await db.selectFrom('departments').select(['department_id', 'name', 'parent_id']).execute()).map((d) => [d.department_id, d]));
  const out: Array<{ id: string; name: string }> = [];
  const seen = new Set([departmentId]);
  for (let p = all.get(departmentId)?.parent_id ?? null; p && !seen.has(p); p = all.get(p)?.parent_id ?? null) {
    seen.add(p);
    const d = all.get(p);
    if (!d) break;
    out.push({ id: d.department_id, name: d.name });
  }
  return out;
}

/** An approver: one of `roles`, not the one who asked, and a department head only from above the rated unit. */
export async function mustApprove(db: Db, user: SessionUser, roles: readonly ApproverRole[], f: Routed, askedBy: string, what: string): Promise<void> {
  if (!(roles as readonly string[]).includes(user.role)) throw new FollowupError('forbidden', `${what} is approved by the role ${roles.join(' or ')}`);
  if (user.username === askedBy) throw new FollowupError('forbidden', `${what} is approved by someone other than who asked for it`);
  if (user.username === f.handler) throw new FollowupError('forbidden', `the handler of the follow-up does not approve its own ${what}`);
  if (user.role === 'dept-head') {
    const above = await ancestorsOf(db, f.department_id);
    if (!user.departmentId || !above.some((d) => d.id === user.departmentId)) {
      throw new FollowupError('forbidden', `a department head approves ${what} only for a department below their own, never for the rated unit itself`);
    }
  }
}
