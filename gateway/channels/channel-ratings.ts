/**
 * Ratings given through the other channels of R8 — the phone behind a QR code, an SMS invitation,
 * a paper card entered by staff — written to the same ledger as the devices' (assessments.ts), so
 * the uplink, the console, the 差评 follow-up and the reports treat them like any other.
 *
 * Exactly once: the caller names the rating (`assessId`, its idempotency key: a paper card's
 * serial, a phone submission's id), and a second write of the same id answers `duplicate` and
 * changes nothing. A rating for a case obeys the case (R9), whichever channel comes first:
 *  - open: this is its first rating (assessNumber 1), and the case is rated;
 *  - rated (by the device or another channel): refused, `already-rated` — the per-case code rates a
 *    case once;
 *  - defaulted (R7: nobody rated it in time): the citizen's rating is a 追加评价 beside the default;
 *  - withdrawn: refused, `case-closed`.
 * After a case is rated here, the gateway withdraws its invitation from the window device (the
 * `case-rated` event), so the device says so instead of taking a second first rating.
 */
import { reasonCodesProblem, type RatingLevel } from '@hcp/contract';
import { z } from 'zod';
import type { Tx } from '../store/database.js';
import { insertAssessment, lastAssessNumber } from '../ratings/assessments.js';

export const CHANNEL_RATING_CHANNELS = ['qr-window', 'qr-case', 'sms', 'paper-card', 'web'] as const;
export type RatingChannel = (typeof CHANNEL_RATING_CHANNELS)[number];

export const ChannelRatingSchema = z
  .object({
    assessId: z.string().min(1).max(80),
    channel: z.enum(CHANNEL_RATING_CHANNELS),
    /** The window rated; for a case, the case's window wins (a QR code cannot move a case). */
    windowId: z.string().min(1).max(64).optional(),
    caseNo: z.string().min(1).max(50).optional(),
    level: z.number().int().min(1, 'level must be 1..5').max(5, 'level must be 1..5'),
    /** When the citizen rated (a paper card: the day of the service, entered by staff). */
    ratedAt: z.iso.datetime({ offset: true }),
    reasons: z.array(z.number().int()).max(16).default([]),
    comment: z.string().trim().max(500).optional(),
    catalogueVersion: z.string().min(1),
    /** R11-style facts the channel observed (a paper card entered late, …); never who rated. */
    flags: z.array(z.string().max(40)).max(8).default([]),
  })
  .strict()
  .refine((r) => r.windowId !== undefined || r.caseNo !== undefined, { message: 'a rating names a window or a case' });
export type ChannelRating = z.input<typeof ChannelRatingSchema>;

export type ChannelOutcome =
  | { stored: true; assessId: string; assessNumber: number; caseNo: string | null; windowId: string }
  | { stored: false; why: 'duplicate' | 'already-rated' | 'case-closed' | 'unknown-case' | 'unknown-window' | 'bad-reasons'; message: string };

/**
 * Write one rating in `trx`. The caller commits, then tells the gateway (`assessments-changed`,
 * and `case-rated` when `caseNo` is set) so the uplink, the console and the device follow.
 */
export async function recordChannelRating(trx: Tx, input: ChannelRating, now: string): Promise<ChannelOutcome> {
  const r = ChannelRatingSchema.parse(input);
  const level = r.level as RatingLevel;
  const problem = reasonCodesProblem(r.catalogueVersion, level, r.reasons);
  if (problem) return { stored: false, why: 'bad-reasons', message: problem };
  const seen = await trx.selectFrom('assessments').select('assess_id').where('assess_id', '=', r.assessId).executeTakeFirst();
  if (seen) return { stored: false, why: 'duplicate', message: `rating ${r.assessId} is stored already` };

  let assessNumber = 1;
  let windowId = r.windowId;
  let item: { code: string | null; name: string | null } = { code: null, name: null };
  let staffId: string | null = null;
  if (r.caseNo) {
    const c = await trx.selectFrom('cases').selectAll().where('case_no', '=', r.caseNo).executeTakeFirst();
    if (!c) return { stored: false, why: 'unknown-case', message: `no case ${r.caseNo}` };
    if (c.state === 'withdrawn') return { stored: false, why: 'case-closed', message: `case ${r.caseNo} was withdrawn` };
    if (c.state === 'rated') return { stored: false, why: 'already-rated', message: `case ${r.caseNo} is rated already` };
    windowId = c.window_id;
    item = { code: c.item_code, name: c.item_name };
    staffId = c.staff_id;
    if (c.state === 'open') {
      // Guarded by state: a device rating committed meanwhile wins, and this one is refused.
      const moved = await trx
        .updateTable('cases')
        .set({ state: 'rated', first_assess_id: r.assessId, rated_at: r.ratedAt })
        .where('case_no', '=', c.case_no)
        .where('state', '=', 'open')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return { stored: false, why: 'already-rated', message: `case ${r.caseNo} is rated already` };
    } else {
      // Defaulted: the citizen's word is a 追加评价 beside the R7 default.
      assessNumber = (await lastAssessNumber(trx, c.case_no)) + 1;
    }
  }
  const window = windowId
    ? await trx.selectFrom('windows').select(['window_id', 'number', 'department', 'department_id']).where('window_id', '=', windowId).executeTakeFirst()
    : undefined;
  if (!window) return { stored: false, why: 'unknown-window', message: `no window ${windowId ?? ''}` };

  await insertAssessment(
    trx,
    {
      assess_id: r.assessId,
      source: 'channel',
      channel: r.channel,
      record_id: null,
      device_id: null,
      case_no: r.caseNo ?? null,
      assess_number: assessNumber,
      level,
      pressed_at: r.ratedAt,
      clock_flag: null,
      window_id: window.window_id,
      window_number: window.number,
      department: window.department,
      department_id: window.department_id,
      staff_id: staffId,
      item_code: item.code,
      item_name: item.name,
      catalogue_version: r.catalogueVersion,
      is_default: 0,
      replaces: null,
      reasons: r.reasons.length > 0 || r.comment ? JSON.stringify(r.reasons) : null,
      comment: r.comment ?? null,
      contact_record_id: null,
      // A channel rating comes whole: its details are final as it is written.
      details_at: now,
      flags: JSON.stringify(r.flags),
    },
    now,
  );
  return { stored: true, assessId: r.assessId, assessNumber, caseNo: r.caseNo ?? null, windowId: window.window_id };
}
