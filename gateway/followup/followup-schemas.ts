/**
 * The answers of the follow-up routes, for /openapi.json (the console's API types are generated from
 * it, docs/STYLE.md §11). No answer holds a rater's number: `contact` says only whether there is one
 * and what became of it; the number itself is the answer of the audited opening route alone.
 */
import { z } from 'zod';
import { ACTIONS } from './followup-progress.js';
import { EVENT_KINDS } from './followup-events.js';

export const AttachmentSchema = z.object({ name: z.string(), type: z.string(), sha256: z.string(), size: z.number().int() });

export const WriteOffSchema = z
  .object({
    appealId: z.string(),
    kind: z.enum(['mistaken', 'malicious']).describe('误评 or 恶意差评'),
    approvedBy: z.string(),
    approvedAt: z.string(),
    reason: z.string(),
  })
  .describe('核销 (R14): the rating stays stored and shown, and leaves every statistic');

export const ContactViewSchema = z.object({
  state: z
    .enum(['none', 'sealed', 'unopenable', 'purged'])
    .describe('none: no number left · sealed: the handler may open it · unopenable: sealed to a hall key already destroyed · purged'),
  masked: z.string().nullable().describe('what is shown of a number: no digit of it (docs/FOLLOWUP.md "The call-back number\'s life")'),
  openedCount: z.number().int(),
  purgedAt: z.string().nullable(),
});

export const FollowupViewSchema = z.object({
  followupId: z.string(),
  assessId: z.string(),
  departmentId: z.string().nullable().describe('routed to (谁办理、谁负责); null: the hall managers'),
  department: z.string().nullable(),
  windowId: z.string().nullable(),
  windowNumber: z.string().nullable(),
  staffId: z.string().nullable(),
  staffName: z.string().nullable(),
  level: z.number().int().describe('the 差评: 2 不满意, 1 非常不满意'),
  channel: z.string(),
  pressedAt: z.string(),
  openedAt: z.string(),
  state: z.enum(['open', 'closed']),
  step: z.string().describe('received | verifying | rectifying | replied | called-back | closed'),
  next: z.enum(ACTIONS).nullable().describe('what must happen next; null once closed'),
  handler: z.string().nullable(),
  finding: z.enum(['true', 'untrue', 'partly']).nullable(),
  resolution: z.enum(['immediate', 'deadline', 'explained']).nullable(),
  dueDate: z.string().nullable().describe('China date the rectification is due (R13), extensions included'),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  dueSoon: z.boolean(),
  extendedDays: z.number().int(),
  escalationLevel: z.number().int(),
  escalatedTo: z
    .object({ departmentId: z.string().nullable(), department: z.string().nullable() })
    .nullable()
    .describe('the department it went up to; departmentId null: the hall managers'),
  rectifiedAt: z.string().nullable(),
  repliedAt: z.string().nullable(),
  calledBackAt: z.string().nullable(),
  rerating: z.number().int().nullable(),
  reratedAt: z.string().nullable(),
  reratingDeclined: z.boolean(),
  rootCause: z.enum(['staff', 'process', 'system', 'policy']).nullable(),
  actionTaken: z.string().nullable(),
  closedAt: z.string().nullable(),
  reopenedCount: z.number().int(),
  contact: ContactViewSchema,
  writeOff: WriteOffSchema.nullable(),
  pendingExtension: z.object({ days: z.number().int(), requestedBy: z.string(), requestedAt: z.string(), reason: z.string().nullable() }).nullable(),
  pendingAppeal: z.boolean(),
});
export type FollowupView = z.infer<typeof FollowupViewSchema>;

export const FollowupEventSchema = z.object({
  seq: z.number().int(),
  kind: z.enum(EVENT_KINDS),
  actor: z.string().describe('a console user, or system'),
  at: z.string(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  attachments: z.array(AttachmentSchema),
});

export const AppealViewSchema = z.object({
  appealId: z.string(),
  assessId: z.string(),
  followupId: z.string().nullable(),
  appellant: z.string(),
  filedAt: z.string(),
  grounds: z.string(),
  evidence: z.array(AttachmentSchema),
  state: z.enum(['pending', 'approved', 'refused']),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
});

export const FollowupDetailSchema = z.object({
  followup: FollowupViewSchema,
  rating: z.object({
    reasons: z.array(z.number().int()).nullable(),
    comment: z.string().nullable(),
    itemCode: z.string().nullable(),
    itemName: z.string().nullable(),
    caseNo: z.string().nullable().describe('shown to the handler, managers and supervisors; a department head who does not handle it sees null (R10)'),
  }),
  events: z.array(FollowupEventSchema),
  appeals: z.array(AppealViewSchema),
});

export const FollowupListSchema = z.object({
  followups: z.array(FollowupViewSchema),
  nextBefore: z.string().nullable().describe('pass as `before` for the next page; null at the end'),
});

const CountsShape = {
  open: z.number().int(),
  unassigned: z.number().int(),
  dueSoon: z.number().int(),
  overdue: z.number().int(),
  escalated: z.number().int(),
};
export const FollowupSummarySchema = z.object({
  totals: z.object(CountsShape),
  departments: z.array(z.object({ departmentId: z.string().nullable(), department: z.string().nullable(), ...CountsShape })),
});

export const ContactOpenedSchema = z.object({ phone: z.string().describe('the number, for this call; never stored or logged opened'), openedCount: z.number().int() });
export const UploadedSchema = AttachmentSchema.omit({ name: true });
export const AppealFiledSchema = z.object({ appealId: z.string() });
