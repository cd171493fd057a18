/**
 * The bodies the paper routes take (parsed with zod in the handlers: an error names the field) and
 * the answers they give, for /openapi.json (the console's API types are generated from it,
 * docs/STYLE.md §11). Nothing here is about the rater: a card asks for no name and no number.
 */
import { z } from 'zod';

const ChinaDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD');

export const PrintBody = z
  .object({
    windowId: z.string().min(1).max(64),
    count: z.number().int().min(1, 'count must be at least 1').max(2000).default(40).describe('cards to print, four to an A4 sheet'),
  })
  .strict();

export const BatchParams = z.object({ batchId: z.string().regex(/^pb-[0-9a-f-]{36}$/, 'batchId must be a batch id (pb-…)') });
export const BatchesQuery = z.object({ windowId: z.string().min(1).max(64).optional() }).strict();

export const EntryBody = z
  .object({
    serial: z.string().min(1).max(300).describe('the serial as typed (7KQ4-M2XD-9RT, hyphens optional) or either QR code as scanned'),
    serviceDate: ChinaDate.describe('the day of the service written on the card (China date)'),
    serviceTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time, HH:mm')
      .optional()
      .describe('the time of the service when known; else the rating is dated noon of that day, China time'),
    level: z.number().int().min(1, 'level must be 1..5').max(5, 'level must be 1..5').describe('5 非常满意 … 1 非常不满意'),
    reasons: z.array(z.number().int()).max(16).default([]).describe('reason codes ticked, of the level ticked'),
    comment: z.string().trim().max(500).optional(),
  })
  .strict();
export type EntryInput = z.infer<typeof EntryBody>;

export const SerialParams = z.object({ serial: z.string().min(1).max(300) });

const Flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
export const EntriesQuery = z
  .object({
    late: Flag.describe('only the cards entered late'),
    windowId: z.string().min(1).max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const BatchViewSchema = z.object({
  batchId: z.string(),
  windowId: z.string(),
  windowNumber: z.string(),
  department: z.string(),
  count: z.number().int(),
  entered: z.number().int().describe('cards of the batch entered so far'),
  printedBy: z.string(),
  printedAt: z.string(),
  firstSerial: z.string().describe('as printed, with hyphens'),
  lastSerial: z.string(),
});
export const BatchListSchema = z.object({ batches: z.array(BatchViewSchema) });

export const CardViewSchema = z.object({
  serial: z.string().describe('as printed, with hyphens'),
  windowId: z.string(),
  windowNumber: z.string(),
  department: z.string(),
  batchId: z.string(),
  printedAt: z.string(),
  state: z.enum(['blank', 'entered', 'rated-by-phone']).describe('blank: not entered yet and not rated by phone'),
  enteredAt: z.string().nullable(),
  enteredBy: z.string().nullable(),
});

export const EntryViewSchema = z.object({
  serial: z.string().describe('as printed, with hyphens'),
  assessId: z.string().describe('the rating in the ledger: card-<serial>'),
  windowId: z.string(),
  windowNumber: z.string(),
  department: z.string(),
  level: z.number().int(),
  reasons: z.array(z.number().int()),
  hasComment: z.boolean(),
  serviceDate: z.string(),
  ratedAt: z.string(),
  enteredAt: z.string(),
  enteredBy: z.string(),
  workingDaysAfter: z.number().int().describe('working days after the service day up to the day of entry (the hall calendar)'),
  late: z.boolean().describe('entered more than `paper.entryWorkingDays` working days after the service (R6): stored, and flagged paper-late-entry'),
  dueDate: z.string().describe('the last day an entry of this card was on time'),
});
export type EntryView = z.infer<typeof EntryViewSchema>;
export const EntryListSchema = z.object({ entries: z.array(EntryViewSchema), entryWorkingDays: z.number().int() });
