/**
 * Our rating (+ its detail) → the provincial interface's fields (NATIONAL-SPEC.md, "What provincial
 * interfaces send"). `satisfaction` there runs 1 = 非常不满意 … 5 = 非常满意, the same direction as
 * our internal level, so it is copied after an explicit check; GB/T 39046 codes would be reversed.
 * Contact data (sealed in the detail record) is never sent: the province gets no rater identity.
 */
import { z } from 'zod';
import type { DetailRecord, RatingRecord } from '../../device/contract/index.js';

export const UplinkProfileSchema = z.object({
  areaCode: z.string().regex(/^\d{6,12}$/, 'areaCode must be a 6-12 digit division code'),
  deptCode: z.string().min(1).max(64),
  /** Some provinces require an interface version on every record. */
  version: z.string().min(1).max(16).optional(),
});
export type UplinkProfile = z.infer<typeof UplinkProfileSchema>;

export const NationalRatingSchema = z.object({
  /** Our idempotency key: the rating record id, or `default-<caseNo>` for a system default. */
  assessId: z.string().min(1).max(80),
  projectNo: z.string().max(50),
  taskCode: z.string().max(64),
  taskName: z.string().max(200),
  areaCode: z.string(),
  deptCode: z.string(),
  windowNo: z.string(),
  proManager: z.string(),
  satisfaction: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  evalDetail: z.string(),
  writingEvaluation: z.string(),
  /** China time, `YYYY-MM-DD HH:mm:ss`. */
  assessTime: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  assessNumber: z.literal(1),
  /** 4 = 政务大厅平板电脑 (the evaluator device), 7 = 系统默认评价. */
  pf: z.union([z.literal(4), z.literal(7)]),
  isDefault: z.union([z.literal(0), z.literal(1)]),
  version: z.string().optional(),
});
export type NationalRating = z.infer<typeof NationalRatingSchema>;

/** Internal level → provincial `satisfaction` (same direction; spelled out so nobody "fixes" it). */
const SATISFACTION: Record<1 | 2 | 3 | 4 | 5, 1 | 2 | 3 | 4 | 5> = { 5: 5, 4: 4, 3: 3, 2: 2, 1: 1 };

export function chinaDateTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not a time: ${iso}`);
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function mapRating(rating: RatingRecord, detail: DetailRecord | null, profile: UplinkProfile): NationalRating {
  return {
    assessId: rating.id,
    projectNo: rating.invitation.caseNo ?? '',
    taskCode: rating.invitation.itemCode ?? '',
    taskName: rating.invitation.itemName ?? '',
    areaCode: profile.areaCode,
    deptCode: profile.deptCode,
    windowNo: rating.windowId,
    proManager: rating.staffId ?? '',
    satisfaction: SATISFACTION[rating.level],
    evalDetail: detail ? detail.reasons.join(',') : '',
    writingEvaluation: detail?.comment ?? '',
    assessTime: chinaDateTime(rating.at),
    assessNumber: 1,
    pf: 4,
    isDefault: 0,
    ...(profile.version ? { version: profile.version } : {}),
  };
}

export interface DefaultCase {
  caseNo: string;
  windowId: string;
  itemCode?: string | null;
  itemName?: string | null;
  staffId?: string | null;
}

/** R7: a case not rated within 5 working days counts as 基本满意, channel 7 (system default). */
export function mapDefault(c: DefaultCase, at: Date, profile: UplinkProfile): NationalRating {
  return {
    assessId: `default-${c.caseNo}`,
    projectNo: c.caseNo,
    taskCode: c.itemCode ?? '',
    taskName: c.itemName ?? '',
    areaCode: profile.areaCode,
    deptCode: profile.deptCode,
    windowNo: c.windowId,
    proManager: c.staffId ?? '',
    satisfaction: SATISFACTION[3],
    evalDetail: '',
    writingEvaluation: '',
    assessTime: chinaDateTime(at.toISOString()),
    assessNumber: 1,
    pf: 7,
    isDefault: 1,
    ...(profile.version ? { version: profile.version } : {}),
  };
}
