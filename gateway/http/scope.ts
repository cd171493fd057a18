/**
 * What a console user may see (docs/DESIGN.md "Console accounts"): a department head sees their
 * department and the departments below it — enforced here, in the API, not by hiding buttons —
 * everyone else who may read sees the whole hall.
 */
import type { SessionUser } from './console-auth.js';
import type { Db } from '../store/database.js';

/** The departments visible to `user`, or null for the whole hall. */
export async function visibleDepartments(db: Db, user: SessionUser): Promise<string[] | null> {
  if (user.role !== 'dept-head') return null;
  if (!user.departmentId) return [];
  const all = await db.selectFrom('departments').select(['department_id', 'parent_id']).execute();
  const seen = new Set([user.departmentId]);
  // Walk down the tree (a bureau sees its sections), cycles ignored.
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of all) {
      if (d.parent_id && seen.has(d.parent_id) && !seen.has(d.department_id)) {
        seen.add(d.department_id);
        grew = true;
      }
    }
  }
  return [...seen];
}

/** The windows visible to `user`, or null for all. */
export async function visibleWindows(db: Db, user: SessionUser): Promise<string[] | null> {
  const depts = await visibleDepartments(db, user);
  if (depts === null) return null;
  if (depts.length === 0) return [];
  return (await db.selectFrom('windows').select('window_id').where('department_id', 'in', depts).execute()).map((w) => w.window_id);
}
