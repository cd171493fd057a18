/**
 * The `reports` config section (always on; every field has a default). The ranking rule and the
 * 窗口之星 rule are printed on every report (NATIONAL-SPEC.md "Rankings").
 */
import { z } from 'zod';

export const ReportsConfigSchema = z
  .object({
    /** The schedule: a period's report is made on this day of the month after it, at this China time. */
    schedule: z
      .object({
        day: z.number().int().min(1).max(28).default(3),
        at: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'at: HH:MM, China time')
          .default('06:00'),
      })
      .strict()
      .prefault({}),
    /** How often to look for a due report and for changes to published ones (write-offs, late ratings). */
    checkEveryMs: z
      .number()
      .int()
      .min(100)
      .default(10 * 60_000),
    ranking: z
      .object({
        measure: z.enum(['activeGoodRate', 'goodRate']).default('activeGoodRate'),
        /** Units with fewer ratings in the measure's denominator are listed, not ranked. */
        minRatings: z.number().int().min(1).default(30),
        top: z.number().int().min(1).max(50).default(5),
        bottom: z.number().int().min(0).max(50).default(3),
        tieBreak: z
          .array(z.enum(['moreRatings', 'fewerBad']))
          .max(2)
          .default(['moreRatings', 'fewerBad']),
      })
      .strict()
      .prefault({}),
    stars: z
      .object({
        count: z.number().int().min(1).max(20).default(3),
        maxFlaggedShare: z.number().min(0).max(1).default(0.05),
      })
      .strict()
      .prefault({}),
    /** A CJK font for the PDF export (.ttc, .otf or .ttf); by default Noto Sans CJK from Debian's fonts-noto-cjk. */
    pdfFont: z
      .object({ file: z.string(), family: z.string().optional().describe('the face inside a .ttc, e.g. NotoSansCJKsc-Regular') })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});
export type ReportsConfig = z.infer<typeof ReportsConfigSchema>;
