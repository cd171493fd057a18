/**
 * Writing to the hall's ledger of ratings (`assessments`, tables.ts), whatever the channel. Every
 * change is also an entry in `assessment_log`, in the same transaction: the uplink and the
 * console follow that log, so they see each change once and in order.
 */
import type { Tx } from '../store/database.js';
import type { AssessmentsTable } from '../store/tables.js';

export type NewAssessment = Omit<AssessmentsTable, 'seq' | 'china_date' | 'superseded_by' | 'created_at'>;

/** The calendar date in China (UTC+8, no DST) of an instant. */
export function chinaDateOf(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
}

export async function logChange(trx: Tx, assessId: string, change: 'created' | 'details' | 'superseded', at: string): Promise<void> {
  await trx.insertInto('assessment_log').values({ assess_id: assessId, change, at }).execute();
}

export async function insertAssessment(trx: Tx, a: NewAssessment, now: string): Promise<void> {
  await trx
    .insertInto('assessments')
    .values({ ...a, china_date: chinaDateOf(a.pressed_at), superseded_by: null, created_at: now })
    .execute();
  await logChange(trx, a.assess_id, 'created', now);
}

/** The highest live assessment number of a case (0 if none). */
export async function lastAssessNumber(trx: Tx, caseNo: string): Promise<number> {
  const r = await trx
    .selectFrom('assessments')
    .select((eb) => eb.fn.max('assess_number').as('n'))
    .where('case_no', '=', caseNo)
    .where('superseded_by', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
