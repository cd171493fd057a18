/**
 * The `paper` section of the gateway config (RULES.md R6; docs/PAPER.md). Always on: every field has
 * a default, and a hall that prints no cards simply has none to enter.
 */
import { z } from 'zod';

export const PaperConfigSchema = z
  .object({
    /** R6: cards are entered within this many working days of the service (Linzi §2.2.3: 5); later entries are stored and flagged. */
    entryWorkingDays: z.number().int().min(1).max(60).default(5),
    /** The most cards one batch prints (4 to a sheet). */
    maxBatchCards: z.number().int().min(4).max(2000).default(400),
    /** Holidays and make-up working days for years the calendar package lacks (as `cases.calendarOverrideFile`; calendar/working-days.ts). */
    calendarOverrideFile: z.string().min(1).optional(),
    /** A CJK font for the cards (.ttc, .otf or .ttf); by default the reports' (Noto Sans CJK from Debian's fonts-noto-cjk). */
    pdfFont: z
      .object({ file: z.string(), family: z.string().optional().describe('the face inside a .ttc, e.g. NotoSansCJKsc-Regular') })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});
export type PaperConfig = z.infer<typeof PaperConfigSchema>;
