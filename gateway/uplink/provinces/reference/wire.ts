/**
 * The reference province's wire form: what hcp's reference adapter sends and the provincial
 * simulator (scripts/province-sim) accepts. Field names and meanings are those seen in provincial
 * interfaces (docs/NATIONAL-SPEC.md "What provincial interfaces send"); `assessId`, `windowNo`,
 * `isDefault` and `replaces` are ours.
 *
 * Three signed JSON POSTs (signing.ts), each answered 200 with one result per record:
 *   ratings      {"records": [NationalRating…]}         first ratings and 追加评价
 *   corrections  {"corrections": [NationalCorrection…]} a rating replacing the one the province holds
 *   amendments   {"amendments": [NationalAmendment…]}   reasons/comment for a rating it has
 *   answer       {"code": 0, "results": [{"assessId", "status": accepted|duplicate|rejected|retry, "reason"?, "code"?}]}
 * 429/5xx/timeouts/garbage answers are whole-request retryable.
 */
import { z } from 'zod';

export const NationalRatingSchema = z.object({
  /** Our idempotency key: the rating's id, or `default-<caseNo>` for a system default. */
  assessId: z.string().min(1).max(80),
  /** 办件编号; '' for a rating without a case (staff-invited). */
  projectNo: z.string().max(50),
  taskCode: z.string().max(64),
  taskName: z.string().max(200),
  areaCode: z.string(),
  deptCode: z.string(),
  /** 窗口编号: the window's number, not our id. */
  windowNo: z.string().max(16),
  proManager: z.string(),
  /** 1 = 非常不满意 … 5 = 非常满意 (the provincial direction; GB/T 39046 runs the other way). */
  satisfaction: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  /** Reason codes, comma-separated. */
  evalDetail: z.string(),
  writingEvaluation: z.string(),
  /** China time, `YYYY-MM-DD HH:mm:ss`. */
  assessTime: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  /** 1 = first rating, 2 … = 追加评价 (at most 2 digits, GB/T 39046 评价次数). */
  assessNumber: z.number().int().min(1).max(99),
  /** Channel code from the province profile (4 = 政务大厅平板电脑, 7 = 系统默认评价 in the provinces seen). */
  pf: z.number().int().min(1).max(99),
  isDefault: z.union([z.literal(0), z.literal(1)]),
  version: z.string().optional(),
});
export type NationalRating = z.infer<typeof NationalRatingSchema>;

export const NationalCorrectionSchema = NationalRatingSchema.extend({
  /** The assessId of the rating this one replaces (same projectNo and assessNumber). */
  replaces: z.string().min(1).max(80),
});
export type NationalCorrection = z.infer<typeof NationalCorrectionSchema>;

export const NationalAmendmentSchema = z.object({
  assessId: z.string().min(1).max(80),
  evalDetail: z.string(),
  writingEvaluation: z.string(),
  version: z.string().optional(),
});
export type NationalAmendment = z.infer<typeof NationalAmendmentSchema>;

export const RatingsBodySchema = z.object({ records: z.array(z.unknown()).max(5000) });
export const CorrectionsBodySchema = z.object({ corrections: z.array(z.unknown()).max(5000) });
export const AmendmentsBodySchema = z.object({ amendments: z.array(z.unknown()).max(5000) });

export const WireStatusSchema = z.enum(['accepted', 'duplicate', 'rejected', 'retry']);

export const ProvinceAnswerSchema = z.object({
  code: z.literal(0),
  results: z.array(
    z.object({
      assessId: z.string(),
      status: WireStatusSchema,
      reason: z.string().optional(),
      /** A machine-readable refusal (`first-rating-exists`, `unknown-rating`, …). */
      code: z.string().optional(),
    }),
  ),
});
export type ProvinceAnswer = z.infer<typeof ProvinceAnswerSchema>;
export type WireResult = ProvinceAnswer['results'][number];
