/**
 * 谁办理、谁负责 (Langfang art. 21, Linzi §2.3.1): which department follows a 差评 up. In order:
 *  1. the first configured rule whose every given field matches (department, window, item, channel)
 *     — e.g. all 差评 of one item to the bureau that owns it, or a QR channel to the hall office;
 *  2. the department of the window the rating was given at (as it was then: assessments.department_id);
 *  3. the department of the rated staff's window;
 *  4. the hall's own department (`routing.hallDepartmentId`);
 * else nobody's: the whole hall's managers see it. A rule or hall department naming a department
 * that does not exist (deleted since the config was written) is passed over, never guessed.
 */
import type { Tx } from '../store/database.js';
import type { AssessmentsTable } from '../store/tables.js';
import type { RoutingRule } from './followup-config.js';

export interface Routed {
  departmentId: string | null;
  /** Why it went there (kept in the `received` event). */
  by: 'rule' | 'window' | 'staff' | 'hall' | 'none';
}

type Rated = Pick<AssessmentsTable, 'department_id' | 'window_id' | 'staff_id' | 'item_code' | 'channel'>;

function matches(r: RoutingRule, a: Rated): boolean {
  return (
    (r.departmentId === undefined || r.departmentId === a.department_id) &&
    (r.windowId === undefined || r.windowId === a.window_id) &&
    (r.itemCode === undefined || r.itemCode === a.item_code) &&
    (r.channel === undefined || r.channel === a.channel)
  );
}

export async function routeOf(trx: Tx, a: Rated, o: { rules: RoutingRule[]; hallDepartmentId?: string | undefined }): Promise<Routed> {
  const exists = async (id: string) => !!(await trx.selectFrom('departments').select('department_id').where('department_id', '=', id).executeTakeFirst());
  for (const r of o.rules) if (matches(r, a) && (await exists(r.to))) return { departmentId: r.to, by: 'rule' };
  if (a.department_id && (await exists(a.department_id))) return { departmentId: a.department_id, by: 'window' };
  if (a.staff_id) {
    const w = await trx
      .selectFrom('staff as s')
      .innerJoin('windows as w', 'w.window_id', 's.window_id')
      .select('w.department_id')
      .where('s.staff_id', '=', a.staff_id)
      .executeTakeFirst();
    if (w?.department_id) return { departmentId: w.department_id, by: 'staff' };
  }
  if (o.hallDepartmentId && (await exists(o.hallDepartmentId))) return { departmentId: o.hallDepartmentId, by: 'hall' };
  return { departmentId: null, by: 'none' };
}
