/**
 * R7: a case not rated within N working days counts as 基本满意 (docs/RULES.md R7). The default is
 * an assessment of its own (`default-<caseNo>`, level 3, channel `default`), dated the end of the
 * deadline day, so it is the same whenever the scheduler happens to run. A real rating pressed in
 * time that arrives later replaces it (a correction at the province); one pressed after the
 * deadline is a 追加评价 on top of it (assessor.ts).
 */
import { DEFAULT_LEVEL_FOR_UNRATED } from '@hcp/contract';
import type { Tx } from '../store/database.js';
import type { CasesTable } from '../store/tables.js';
import { insertAssessment } from './assessments.js';

export const defaultAssessId = (caseNo: string) => `default-${caseNo}`;

/** The first instant after the deadline day (China time): a rating pressed before it is in time. */
export function deadlineEnd(deadlineDate: string): number {
  return Date.parse(`${deadlineDate}T00:00:00+08:00`) + 24 * 3600_000;
}

/** Give an open case its default; false if it was not open (someone else got there first). */
export async function giveDefault(trx: Tx, c: CasesTable, now: string): Promise<boolean> {
  if (!c.deadline_date) throw new Error(`case ${c.case_no} has no deadline yet`);
  const moved = await trx
    .updateTable('cases')
    .set({ state: 'defaulted', defaulted_at: now, first_assess_id: defaultAssessId(c.case_no) })
    .where('case_no', '=', c.case_no)
    .where('state', '=', 'open')
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return false;
  const window = await trx.selectFrom('windows').select(['department', 'department_id']).where('window_id', '=', c.window_id).executeTakeFirst();
  await insertAssessment(
    trx,
    {
      assess_id: defaultAssessId(c.case_no),
      source: 'default',
      channel: 'default',
      record_id: null,
      device_id: null,
      case_no: c.case_no,
      assess_number: 1,
      level: DEFAULT_LEVEL_FOR_UNRATED,
      pressed_at: new Date(deadlineEnd(c.deadline_date)).toISOString(),
      clock_flag: null,
      window_id: c.window_id,
      window_number: c.window_number,
      department: window?.department ?? null,
      department_id: window?.department_id ?? null,
      staff_id: c.staff_id,
      item_code: c.item_code,
      item_name: c.item_name,
      catalogue_version: null,
      is_default: 1,
      replaces: null,
      reasons: null,
      comment: null,
      contact_record_id: null,
      details_at: null,
      flags: null,
    },
    now,
  );
  return true;
}
