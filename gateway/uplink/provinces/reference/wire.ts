/**
 * The reference province's wire form: what hcp's reference adapter sends and the provincial
 * simulator (scripts/province-sim) accepts. Field names and meanings are those seen in provincial
 * interfaces (docs/NATIONAL-SPEC.md "What provincial interfaces send"); `assessId`, `windowNo`,
 * `isDefault` and `replaces` are ours.
 *
 * Four signed JSON POSTs (signing.ts), each answered 200 with one result per record:
 *   ratings      {"records": [NationalRating…]}         first ratings and 追加评价
 *   corrections  {"corrections": [NationalCorrection…]} a rating replacing the one the province holds
 *   amendments   {"amendments": [NationalAmendment…]}   reasons/comment for a rating it has
 *   rectifications {"rectifications": [NationalRectification…]} the steps of a 差评's follow-up (assessId + revision)
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

/**
 * One step of a 差评's follow-up, after the fields one provincial back office keeps (NATIONAL-SPEC
 * "The follow-up record a provincial back office keeps", "Rectification records"): the step, and
 * the follow-up as it stood then. Keyed by assessId and `revision`; the newest revision of an
 * assessId says where its follow-up stands. Times are China time like `assessTime`, '' while a step
 * is not done. Nothing of the rater's contact, no handler, no notes.
 */
export const NationalRectificationSchema = z.object({
  /** The 差评 it follows (a rating the province has). */
  assessId: z.string().min(1).max(80),
  /** Increasing per assessId; with it, the record's key. */
  revision: z.number().int().min(1),
  /** accepted 受理 | verified 核实 | resolved 处理方式 | extended 延期 | escalated 督办 | rectified 整改 | replied 反馈 | called-back 回访 | reopened 重新整改 | closed 办结 | withdrawn 撤回 | written-off 核销. */
  stepType: z.enum(['accepted', 'verified', 'resolved', 'extended', 'escalated', 'rectified', 'replied', 'called-back', 'reopened', 'closed', 'withdrawn', 'written-off']),
  stepTime: z.string().min(1),
  /** The 再评价 given at this call-back (called-back, reopened), 0 otherwise or if declined. */
  stepSatisfaction: z.number().int().min(0).max(5),
  projectNo: z.string().max(50),
  areaCode: z.string(),
  deptCode: z.string(),
  /** 核实: 1 属实, 0 不属实, 2 部分属实, '' not verified yet. */
  isTrue: z.enum(['1', '0', '2', '']),
  /** 1 立行立改, 2 限期整改, 3 解释说明, 0 not decided yet. */
  handleType: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  /** 0 with the handling unit; 1, 2 … escalated up the department tree after the deadline. */
  handleLevel: z.number().int().min(0),
  /** The rectification deadline, `YYYY-MM-DD` (China date), extensions included. */
  deadline: z.string(),
  rectifyResult: z.string().max(2000),
  rectifyTime: z.string(),
  isReply: z.union([z.literal(0), z.literal(1)]),
  replyTime: z.string(),
  isVisit: z.union([z.literal(0), z.literal(1)]),
  visitTime: z.string(),
  /** 再评价 in the provincial direction (1 = 非常不满意 … 5 = 非常满意), 0 if none. */
  visitSatisfaction: z.number().int().min(0).max(5),
  visitDeclined: z.union([z.literal(0), z.literal(1)]),
  /** staff | process | system | policy, '' until closed. */
  rootCause: z.string(),
  isFinish: z.union([z.literal(0), z.literal(1)]),
  finishTime: z.string(),
  reopenCount: z.number().int().min(0),
  /** 0 once written off (核销): the rating no longer counts. */
  isValid: z.union([z.literal(0), z.literal(1)]),
  /** '' | mistaken (误评) | malicious (恶意差评). */
  writeOffType: z.string(),
  version: z.string().optional(),
});
export type NationalRectification = z.infer<typeof NationalRectificationSchema>;

export const RatingsBodySchema = z.object({ records: z.array(z.unknown()).max(5000) });
export const CorrectionsBodySchema = z.object({ corrections: z.array(z.unknown()).max(5000) });
export const AmendmentsBodySchema = z.object({ amendments: z.array(z.unknown()).max(5000) });
export const RectificationsBodySchema = z.object({ rectifications: z.array(z.unknown()).max(5000) });

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
