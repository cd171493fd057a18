/**
 * What each follow-up route takes (zod: errors name the field). Free text refuses phone numbers
 * (free-text.ts); files are named by the sha256 their upload answered (attachment-store.ts).
 */
import { z } from 'zod';
import { AttachmentRefSchema } from './attachment-store.js';
import { freeText } from './free-text.js';

const Note = freeText(2000);
const Attachments = z.array(AttachmentRefSchema).max(20).optional();

export const AssignBody = z
  .object({ handler: z.string().min(1).max(64).describe('the console user who handles it (a manager, or a department head of its department)'), note: Note.optional() })
  .strict();

export const VerifyBody = z
  .object({
    finding: z.enum(['true', 'untrue', 'partly']).describe('核实: 属实 / 不属实 / 部分属实'),
    raterReached: z.boolean().describe('the rater was called (true) or could not be reached / left no number (false)'),
    note: Note,
    attachments: Attachments,
  })
  .strict();

export const ResolveBody = z
  .object({
    resolution: z.enum(['immediate', 'deadline', 'explained']).describe('立行立改 / 限期整改 / 解释说明'),
    category: z.enum(['general', 'complex']).optional().describe('限期整改 only: 一般问题 or 复杂问题 (the profile gives each a deadline); default complex'),
    dueDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'dueDate must be YYYY-MM-DD')
      .optional()
      .describe('限期整改 only: a nearer due day than the profile allows'),
    note: Note,
    attachments: Attachments,
  })
  .strict();

export const ExtensionBody = z.object({ days: z.number().int().min(1).max(30), reason: Note, attachments: Attachments }).strict();
export const DecisionBody = z.object({ approve: z.boolean(), note: Note }).strict();

export const StepNoteBody = z.object({ note: Note, attachments: Attachments }).strict();
export const ReplyBody = z
  .object({
    method: z.enum(['phone', 'sms', 'in-person', 'letter', 'public-notice']).describe('how the rater was told (public-notice: a rater who left no way to reach them)'),
    note: Note,
    attachments: Attachments,
  })
  .strict();

export const CallBackBody = z
  .object({
    outcome: z.enum(['rerated', 'declined', 'unreachable']).describe('the rater re-rated the fix, declined to, or could not be reached (an attempt)'),
    rerating: z.number().int().min(1).max(5).optional().describe('再评价, 5 = 非常满意 … 1 = 非常不满意; with outcome rerated'),
    note: Note,
  })
  .strict()
  .refine((b) => (b.outcome === 'rerated') === (b.rerating !== undefined), { path: ['rerating'], message: 'give rerating (1-5) exactly when the outcome is rerated' });

export const CloseBody = z
  .object({
    rootCause: z.enum(['staff', 'process', 'system', 'policy']).describe('what caused it: staff, process, system or policy (staff are not blamed for what they do not control)'),
    actionTaken: freeText(2000).describe('what was done about it'),
    note: Note.optional(),
  })
  .strict();

export const ContactBody = z.object({ reason: freeText(200, 4).describe('why the number is opened (audited)') }).strict();

export const AppealBody = z.object({ grounds: freeText(2000, 4), evidence: Attachments }).strict();
export const AppealDecisionBody = z
  .object({
    approve: z.boolean(),
    kind: z.enum(['mistaken', 'malicious']).optional().describe('误评 or 恶意差评; with approve'),
    reason: freeText(2000),
  })
  .strict()
  .refine((b) => !b.approve || b.kind !== undefined, { path: ['kind'], message: 'an approved write-off says whether the rating was mistaken or malicious' });
