/**
 * What the uplink sends, in no province's terms (docs/NATIONAL-SPEC.md rule 1: "one internal form,
 * mapped per province"). The outbox stores these as JSON; each province's adapter maps them to its
 * own wire form when it sends them, so a profile change (a channel code, a field name) applies to
 * everything still unsent.
 *
 * Four kinds, the first three from issue 10's holes 2 and 3:
 *  - a rating: a case's first rating (assessNumber 1) or a 追加评价 (2, 3 …);
 *  - a correction: a real rating, pressed before the R7 deadline, that replaces the system default
 *    already at the province (docs/RULES.md R7) — the case keeps one first rating;
 *  - an amendment: a 差评's reasons and comment that came after its rating went up;
 *  - a rectification: a 差评's follow-up record (issue 12), for a province that takes it.
 * No item carries the rater's contact (R10): it stays sealed in the gateway.
 */
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { AssessmentsTable } from '../store/tables.js';

/**
 * The columns of the ratings ledger the uplink reads: an item's fields and what decides its hold
 * and order. Only these are read (the enqueue reads every rating once; the other columns — flags,
 * the contact record, the report keys — would double what each row costs to read).
 */
export const LEDGER_COLUMNS = [
  'assess_id',
  'channel',
  'device_id',
  'case_no',
  'assess_number',
  'level',
  'pressed_at',
  'clock_flag',
  'window_number',
  'department',
  'staff_id',
  'item_code',
  'item_name',
  'is_default',
  'replaces',
  'reasons',
  'comment',
  'details_at',
  'created_at',
] as const satisfies readonly (keyof AssessmentsTable)[];

/** A row of the ratings ledger as the uplink reads it. */
export type LedgerRow = Pick<Selectable<AssessmentsTable>, (typeof LEDGER_COLUMNS)[number]>;

/**
 * Every channel a rating can come from (assessments.channel). A province maps each to its own
 * channel code (`pf`); codes 5–7 differ between provinces (NATIONAL-SPEC "Channel codes").
 */
export const CHANNELS = ['device-touch', 'device-button', 'paper-card', 'default', 'qr-window', 'qr-case', 'sms', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];
export const ChannelSchema = z.enum(CHANNELS);
const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);

/** The evaluator device's own channels: only they open the details screen after a 差评 (device/runtime/view-builder.ts). */
export const DEVICE_CHANNELS: readonly string[] = ['device-touch', 'device-button'];

const Level = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]);
const IsoTime = z.iso.datetime({ offset: true });

export const RatingItemSchema = z
  .object({
    kind: z.literal('rating'),
    /** Our id of the rating, the province's idempotency key. */
    assessId: z.string().min(1).max(80),
    /** 办件编号; null for a rating the staff invited without a case. */
    caseNo: z.string().min(1).max(50).nullable(),
    /** 1 = the case's first rating, 2 … = 追加评价 (NATIONAL-SPEC "assessNumber"). */
    assessNumber: z.number().int().min(1).max(99),
    item: z.object({ code: z.string().nullable(), name: z.string().nullable() }).strict(),
    /** 窗口编号 as citizens and the province know it — never our window id (issue 10, hole 7). */
    windowNumber: z.string().nullable(),
    department: z.string().nullable(),
    staffId: z.string().nullable(),
    /** 5 = 非常满意 … 1 = 非常不满意 (device/contract/levels.ts); each province maps it by table. */
    level: Level,
    /** Reason codes (NATIONAL-SPEC "The reason catalogue"); null while the rater has given none. */
    reasons: z.array(z.number().int().min(100).max(599)).max(16).nullable(),
    comment: z.string().max(500).nullable(),
    /** When it was rated, by the gateway's clock (device clocks corrected at ingest). */
    pressedAt: IsoTime,
    channel: ChannelSchema,
    /** An R7 system default (channel `default`). */
    isDefault: z.boolean(),
    /** How the device's clock was corrected, or why it could not be (gateway/ingest/clock-correction.ts). */
    clockFlag: z.string().nullable(),
  })
  .strict();
export type RatingItem = z.infer<typeof RatingItemSchema>;

export const CorrectionItemSchema = z
  .object({
    kind: z.literal('correction'),
    /** The rating that takes the replaced one's place (its assessNumber is the replaced one's). */
    rating: RatingItemSchema.omit({ kind: true }),
    /** The assessId the province holds now and must keep as history. */
    replaces: z.string().min(1).max(80),
  })
  .strict();
export type CorrectionItem = z.infer<typeof CorrectionItemSchema>;

export const AmendmentItemSchema = z
  .object({
    kind: z.literal('amendment'),
    /** The rating the province already has. */
    assessId: z.string().min(1).max(80),
    reasons: z.array(z.number().int().min(100).max(599)).max(16),
    comment: z.string().max(500).nullable(),
  })
  .strict();
export type AmendmentItem = z.infer<typeof AmendmentItemSchema>;

/**
 * The steps of a 差评's follow-up a province hears of (RULES.md R12–R14), from the hall's event
 * kinds (gateway/followup/followup-events.ts): 受理, 核实, the decision (立行立改 / 限期整改 /
 * 解释说明), an approved extension, escalation, 整改, 反馈, 回访 with the 再评价, a reopening after a
 * bad 再评价, 办结, withdrawal (the rating was replaced) and 核销. Everything else — assignment,
 * notes, reminders, appeals on their way, the call-back number being opened or purged — is the
 * hall's own and never leaves it.
 */
export const RECTIFICATION_STEPS = {
  received: 'accepted',
  verified: 'verified',
  resolved: 'resolved',
  'extension-approved': 'extended',
  escalated: 'escalated',
  rectified: 'rectified',
  replied: 'replied',
  'called-back': 'called-back',
  reopened: 'reopened',
  closed: 'closed',
  withdrawn: 'withdrawn',
  'written-off': 'written-off',
} as const;
export type RectificationStep = (typeof RECTIFICATION_STEPS)[keyof typeof RECTIFICATION_STEPS];
const StepSchema = z.enum(Object.values(RECTIFICATION_STEPS) as [RectificationStep, ...RectificationStep[]]);

/**
 * One step of a 差评's follow-up, for a province that keeps them (docs/NATIONAL-SPEC.md
 * "Rectification records"): the step itself, and the follow-up as it stood when the step was
 * queued, so a province that keeps the newest revision computes 差评回复率 and 回访整改率 exactly as
 * the hall does. `revision` is the step's event seq: unique, increasing, the province's key with
 * the assessId. No handler, no notes, nothing of the rater's contact (R10).
 */
export const RectificationItemSchema = z
  .object({
    kind: z.literal('rectification'),
    /** The 差评 (its rating is at the province first). */
    assessId: z.string().min(1).max(80),
    followupId: z.string().min(1).max(80),
    revision: z.number().int().min(1),
    step: z
      .object({
        kind: StepSchema,
        at: IsoTime,
        /** The 再评价 given at this call-back (called-back, reopened); the state below may have moved on. */
        rerating: Level.nullable(),
      })
      .strict(),
    caseNo: z.string().min(1).max(50).nullable(),
    openedAt: IsoTime,
    state: z.enum(['open', 'closed']),
    /** 核实: 属实 / 不属实 / 部分属实. */
    finding: z.enum(['true', 'untrue', 'partly']).nullable(),
    /** 立行立改 / 限期整改 / 解释说明. */
    resolution: z.enum(['immediate', 'deadline', 'explained']).nullable(),
    dueDate: z.string().nullable(),
    extendedDays: z.number().int().min(0),
    escalationLevel: z.number().int().min(0),
    rectifiedAt: IsoTime.nullable(),
    repliedAt: IsoTime.nullable(),
    calledBackAt: IsoTime.nullable(),
    /** 再评价 at the call-back (5 = 非常满意 … 1), null if none. */
    rerating: Level.nullable(),
    reratingDeclined: z.boolean(),
    rootCause: z.enum(['staff', 'process', 'system', 'policy']).nullable(),
    /** What was done (办结); withheld (null) if it looks like it holds a phone number. */
    actionTaken: z.string().max(2000).nullable(),
    closedAt: IsoTime.nullable(),
    reopenedCount: z.number().int().min(0),
    /** 核销 (R14): the rating leaves every statistic, the province's too. */
    writtenOff: z
      .object({ kind: z.enum(['mistaken', 'malicious']), approvedAt: IsoTime })
      .strict()
      .nullable(),
  })
  .strict();
export type RectificationItem = z.infer<typeof RectificationItemSchema>;

export const UplinkItemSchema = z.discriminatedUnion('kind', [RatingItemSchema, CorrectionItemSchema, AmendmentItemSchema, RectificationItemSchema]);
export type UplinkItem = z.infer<typeof UplinkItemSchema>;
export type ItemKind = UplinkItem['kind'];

/**
 * The rating as the ledger holds it now (details included if they have arrived). The ledger is
 * written by the gateway itself, so this checks only what the column types cannot say (the level,
 * the channel, the reasons' JSON); the full schema guards the province boundary, where the sender
 * parses every item before it maps it.
 */
export function ratingItemOf(a: LedgerRow): RatingItem {
  // A set, not ChannelSchema: the same check, without a parse per rating on the enqueue's hot path.
  if (!CHANNEL_SET.has(a.channel)) throw new Error(`assessment ${a.assess_id} has an unknown channel ${a.channel}`);
  if (!Number.isInteger(a.level) || a.level < 1 || a.level > 5) throw new Error(`assessment ${a.assess_id} has level ${a.level}`);
  const reasons = a.reasons === null ? null : (JSON.parse(a.reasons) as unknown);
  if (reasons !== null && !(Array.isArray(reasons) && reasons.every((r) => Number.isInteger(r)))) throw new Error(`assessment ${a.assess_id} has reasons that are not codes`);
  return {
    kind: 'rating',
    assessId: a.assess_id,
    caseNo: a.case_no,
    assessNumber: a.assess_number,
    item: { code: a.item_code, name: a.item_name },
    windowNumber: a.window_number,
    department: a.department,
    staffId: a.staff_id,
    level: a.level as RatingItem['level'],
    reasons: reasons as number[] | null,
    comment: a.comment,
    pressedAt: a.pressed_at,
    channel: a.channel as Channel,
    isDefault: a.is_default === 1,
    clockFlag: a.clock_flag,
  };
}

/** The rating an item carries (a correction carries one too), or null for an amendment or a rectification. */
export function ratingOf(item: UplinkItem): Omit<RatingItem, 'kind'> | null {
  if (item.kind === 'rating') return item;
  if (item.kind === 'correction') return item.rating;
  return null;
}

/** The cheap check of an item read back from the outbox: its kind, and the id the province keys it by. */
export function isUplinkItemShape(x: unknown): x is UplinkItem {
  if (x === null || typeof x !== 'object') return false;
  const o = x as { kind?: unknown; assessId?: unknown; rating?: { assessId?: unknown } };
  if (o.kind === 'rating' || o.kind === 'amendment' || o.kind === 'rectification') return typeof o.assessId === 'string';
  return o.kind === 'correction' && typeof o.rating?.assessId === 'string';
}
