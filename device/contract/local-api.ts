/**
 * The device runtime's local API for the kiosk UI: HTTP + WebSocket on 127.0.0.1, every call with
 * the per-boot token (header `authorization: Bearer <token>`, or `?token=` on the WebSocket).
 * The UI is a view of this state; it never owns data (docs/DESIGN.md "The device works alone").
 *
 *   GET  /api/state            → DeviceView
 *   WS   /api/live             → DeviceView on every change
 *   POST /api/rate             RateBody      → { ratingId }   (only while armed; committed before reply)
 *   POST /api/details          DetailsBody   → { ok: true }   (reasons/comment/consented phone after a 差评)
 *   POST /api/details/skip     { ratingId }  → { ok: true }   (citizen done or timed out: back to idle)
 *   POST /api/details/activity { ratingId }  → { ok: true }   (the citizen is still typing: restart the details timeout)
 *   POST /api/invite           {}            → { ok: true }   (staff "please rate")
 *   POST /api/pause | /api/resume
 *   POST /api/badge            BadgeBody     → { ok: true }   (what a badge tap does; the NFC driver uses the same input)
 */
import { z } from 'zod';
import { RatingLevelSchema } from './levels.js';
import { RecordIdSchema } from './records.js';

export const ScreenSchema = z.enum(['paused', 'idle', 'armed', 'details', 'thanks']);
export type Screen = z.infer<typeof ScreenSchema>;

export const LanguageSchema = z.enum(['zh', 'en', 'bo']);
export type Language = z.infer<typeof LanguageSchema>;

export const StaffCardSchema = z.object({
  staffId: z.string(),
  staffNo: z.string(),
  name: z.string(),
  post: z.string(),
  title: z.string(),
  photo: z.string().optional(),
});
export type StaffCard = z.infer<typeof StaffCardSchema>;

/**
 * The invitation was withdrawn because its case was rated through another channel first (a phone,
 * an SMS link): the gateway gives this as the withdrawal's reason, and the kiosk tells the citizen
 * "此件已在手机上评价" instead of taking a second first rating (R9; gateway/cases/invitations.ts).
 */
export const RATED_ELSEWHERE_REASON = 'rated-on-phone';

/** A short message the kiosk shows over the idle screen for a moment. */
export const ViewNoticeSchema = z.enum([RATED_ELSEWHERE_REASON]);
export type ViewNotice = z.infer<typeof ViewNoticeSchema>;

export const DeviceViewSchema = z.object({
  /** Increases with every change, so a client can order a GET answer against pushes. */
  revision: z.number().int().min(0),
  screen: ScreenSchema,
  hallName: z.string(),
  window: z.object({ id: z.string(), number: z.string(), department: z.string() }),
  staff: StaffCardSchema.nullable(),
  invitation: z
    .object({
      id: RecordIdSchema,
      source: z.enum(['case', 'staff']),
      caseNo: z.string().optional(),
      itemName: z.string().optional(),
      expiresAt: z.string(),
      /** URL for the dynamic per-case QR code (R8). */
      qrUrl: z.string().optional(),
    })
    .nullable(),
  /** The rating just committed, while the citizen may add details or sees thanks. */
  lastRating: z.object({ id: RecordIdSchema, level: RatingLevelSchema, bad: z.boolean() }).nullable(),
  catalogueVersion: z.string(),
  /** Whether a call-back number can be taken (the hall's contact key is configured). */
  callbackAvailable: z.boolean(),
  /** Static per-window QR code URL (R8). */
  windowQrUrl: z.string().optional(),
  notice: ViewNoticeSchema.optional(),
  connection: z.object({
    gateway: z.enum(['online', 'offline']),
    panel: z.enum(['connected', 'disconnected', 'absent']),
    /** A badge reader on a serial port of its own (on hcp-panel the reader is part of the panel). */
    reader: z.enum(['connected', 'disconnected', 'absent']).optional(),
  }),
  settings: z.object({ language: LanguageSchema, largeText: z.boolean(), highContrast: z.boolean(), speech: z.boolean() }),
  /** Screen timeouts the UI applies; the runtime enforces them too. */
  timeouts: z.object({ detailsSec: z.number(), thanksSec: z.number() }),
});
export type DeviceView = z.infer<typeof DeviceViewSchema>;

export const RateBodySchema = z.object({ level: RatingLevelSchema, source: z.enum(['touch', 'button']).default('touch') });
export const DetailsBodySchema = z
  .object({
    ratingId: RecordIdSchema,
    reasons: z.array(z.number().int()).max(16),
    comment: z.string().max(500).optional(),
    /** Only with `consent: true` (R10); mainland mobile numbers. */
    phone: z
      .string()
      .regex(/^1[3-9]\d{9}$/, 'phone must be an 11-digit mainland mobile number')
      .optional(),
    consent: z.boolean().default(false),
  })
  .refine((b) => b.phone === undefined || b.consent, { message: 'a phone number needs the consent tick', path: ['consent'] });
export const SkipDetailsBodySchema = z.object({ ratingId: RecordIdSchema });
export const BadgeBodySchema = z.object({ uid: z.string().regex(/^[0-9A-Fa-f]{8,20}$/, 'badge UID must be 8-20 hex digits') });
export const SettingsBodySchema = z.object({
  language: LanguageSchema.optional(),
  largeText: z.boolean().optional(),
  highContrast: z.boolean().optional(),
  speech: z.boolean().optional(),
});

/** Error body of every local and gateway API: a code and a message naming what is wrong. */
export const ApiErrorSchema = z.object({ error: z.string(), message: z.string() });
