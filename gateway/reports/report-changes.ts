/**
 * What changed in a published period since its latest snapshot was read (RULES.md R15: a correction
 * is a new version, never an edit): ratings of the period written off since (or no longer written
 * off), and later entries in the ratings' change log for ratings of the period (a late paper card,
 * a device that synced late, a default replaced, reasons that arrived). Follow-up progress after the
 * cut-off is not a change: every version reads follow-ups at the first version's cut-off.
 */
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { Period } from './periods.js';
import type { Basis, VersionReason } from './snapshots.js';

/** `YYYY-MM-DD HH:mm` in China time (UTC+8, no DST): how a hall reads a time in the report's own words. */
const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

/** The reason for a new version, or null when nothing changed. */
export async function changesSince(db: Db, p: Period, basis: Basis, checkedSeq: number): Promise<{ reason: VersionReason | null; logSeq: number }> {
  const written = await db
    .selectFrom('write_offs as w')
    .innerJoin('assessments as a', 'a.assess_id', 'w.assess_id')
    .select(['a.seq', 'w.assess_id', 'w.kind', 'w.approved_by', 'w.approved_at', 'w.reason'])
    .where('a.china_date', '>=', p.from)
    .where('a.china_date', '<=', p.to)
    .where('a.superseded_by', 'is', null)
    .orderBy('a.seq')
    .execute();
  const before = new Set(basis.writtenOff);
  const now = new Set(written.map((w) => w.seq));
  const writeOffs = written
    .filter((w) => !before.has(w.seq))
    .map((w) => ({ assessId: w.assess_id, kind: w.kind, approvedBy: w.approved_by, approvedAt: w.approved_at, reason: w.reason }));
  const reinstatedSeqs = basis.writtenOff.filter((s) => !now.has(s));
  const reinstated =
    reinstatedSeqs.length === 0 ? [] : (await db.selectFrom('assessments').select('assess_id').where('seq', 'in', reinstatedSeqs).execute()).map((r) => r.assess_id);

  // Only the log past what was read, or past the last check that found nothing, is walked (a check
  // that finds a change publishes at once, so nothing found earlier is left behind).
  const from = Math.max(basis.logSeq, checkedSeq);
  const log = await db
    .selectFrom('assessment_log as l')
    .innerJoin('assessments as a', 'a.assess_id', 'l.assess_id')
    .select([sql<number>`count(*)`.as('n')])
    .where('l.seq', '>', from)
    .where('a.china_date', '>=', p.from)
    .where('a.china_date', '<=', p.to)
    .executeTakeFirstOrThrow();
  const top = await db
    .selectFrom('assessment_log')
    .select((eb) => eb.fn.max('seq').as('s'))
    .executeTakeFirst();
  const logSeq = Number(top?.s ?? 0);
  const ledgerChanges = Number(log.n);
  if (writeOffs.length === 0 && reinstated.length === 0 && ledgerChanges === 0) return { reason: null, logSeq };
  const parts: Array<[string, string]> = [];
  if (writeOffs.length > 0)
    parts.push([
      `发布后核销 ${writeOffs.length} 条评价：${writeOffs.map((w) => `${w.assessId}（${w.kind === 'malicious' ? '恶意差评' : '误评'}，${w.approvedBy} 于 ${chinaTime(w.approvedAt)}（北京时间）批准：${w.reason}）`).join('；')}`,
      `${writeOffs.length} rating(s) written off after publication: ${writeOffs.map((w) => `${w.assessId} (${w.kind}, approved by ${w.approvedBy} at ${w.approvedAt}: ${w.reason})`).join('; ')}`,
    ]);
  if (reinstated.length > 0) parts.push([`${reinstated.length} 条评价不再核销`, `${reinstated.length} rating(s) no longer written off`]);
  if (ledgerChanges > 0)
    parts.push([
      `本期评价有 ${ledgerChanges} 项后续变更（迟到的评议卡或设备记录、被替代的默认评价、后到的原因）`,
      `${ledgerChanges} later change(s) to ratings of the period (late cards or device records, replaced defaults, late reasons)`,
    ]);
  return {
    reason: { zh: parts.map((x) => x[0]).join('。'), en: parts.map((x) => x[1]).join('. '), writeOffs, reinstated, ledgerChanges },
    logSeq,
  };
}
