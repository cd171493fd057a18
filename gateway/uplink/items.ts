/**
 * What the uplink sends, in no province's terms (docs/NATIONAL-SPEC.md rule 1: "one internal form,
 * mapped per province"). The outbox stores these as JSON; each province's adapter maps them to its
 * own wire form when it sends them, so a profile change (a channel code, a field name) applies to
 * everything still unsent.
 *
 * Three kinds, from issue 10's holes 2 and 3:
 *  - a rating: a case's first rating (assessNumber 1) or a 追加评价 (2, 3 …);
 *  - a correction: a real rating, pressed before the R7 deadline, that replaces the system default
 *    already at the province (docs/RULES.md R7) — the case keeps one first rating;
 *  - an amendment: a 差评's reasons and comment that came after its rating went up.
 * No item carries the rater's contact (R10): it stays sealed in the gateway.
 */
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { AssessmentsTable } from '../store/tables.js';

/** A row of the ratings ledger as read. */
export type LedgerRow = Selectable<AssessmentsTable>;

/**
 * Every channel a rating can come from (assessments.channel). A province maps each to its own
 * channel code (`pf`); codes 5–7 differ between provinces (NATIONAL-SPEC "Channel codes").
 */
export const CHANNELS = ['device-touch', 'device-button', 'paper-card', 'default', 'qr-window', 'qr-case', 'sms', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];
export const ChannelSchema = z.enum(CHANNELS);

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

export const UplinkItemSchema = z.discriminatedUnion('kind', [RatingItemSchema, CorrectionItemSchema, AmendmentItemSchema]);
export type UplinkItem = z.infer<typeof UplinkItemSchema>;
export type ItemKind = UplinkItem['kind'];

/**
 * The rating as the ledger holds it now (details included if they have arrived). The ledger is
 * written by the gateway itself, so this checks only what the column types cannot say (the level,
 * the channel, the reasons' JSON); the full schema guards the province boundary, where the sender
 * parses every item before it maps it.
 */
export function ratingItemOf(a: LedgerRow): RatingItem {
  const channel = ChannelSchema.safeParse(a.channel);
  if (!channel.success) throw new Error(`assessment ${a.assess_id} has an unknown channel ${a.channel}`);
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
    channel: channel.data,
    isDefault: a.is_default === 1,
    clockFlag: a.clock_flag,
  };
}

/** The rating an item carries (a correction carries one too), or null for an amendment. */
export function ratingOf(item: UplinkItem): Omit<RatingItem, 'kind'> | null {
  if (item.kind === 'rating') return item;
  if (item.kind === 'correction') return item.rating;
  return null;
}

/** The cheap check of an item read back from the outbox: its kind, and the id the province keys it by. */
export function isUplinkItemShape(x: unknown): x is UplinkItem {
  if (x === null || typeof x !== 'object') return false;
  const o = x as { kind?: unknown; assessId?: unknown; rating?: { assessId?: unknown } };
  if (o.kind === 'rating' || o.kind === 'amendment') return typeof o.assessId === 'string';
  return o.kind === 'correction' && typeof o.rating?.assessId === 'string';
}
