/**
 * Integrity (R11) for managers, supervisors and department heads (their departments only):
 *
 *   GET /api/integrity?from&to                                  per window and per staff: ratings and each flag
 *   GET /api/integrity/ratings?flag&windowId&staffId&from&to     the ratings behind a flag
 *
 * With each flag's explanation in Chinese and English. Never anything about who rated
 * (gateway/ratings/integrity-report.ts says what is left out).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { FLAG_EXPLANATIONS, INTEGRITY_FLAGS } from '../../ratings/integrity-flags.js';
import { flaggedRatings, integrityReport } from '../../ratings/integrity-report.js';
import { doc, errors, parse } from '../api.js';
import { DateRangeShape, resolveRange } from '../date-range.js';
import { visibleDepartments } from '../scope.js';
import type { CoreServices } from './core-services.js';

/** A year at a time: the report is one pass over an index, and a year is what a review looks at. */
const MAX_DAYS = 366;

const FlagSchema = z.enum(INTEGRITY_FLAGS);
// Strict: a misspelt filter (`staffID=`) is refused by name instead of quietly showing everyone.
const ReportQuery = z.object(DateRangeShape).strict();
const RatingsQuery = z
  .object({
    ...DateRangeShape,
    flag: FlagSchema.optional().describe('one flag; any flag when not given'),
    windowId: z.string().min(1).max(64).optional(),
    staffId: z.string().min(1).max(64).optional(),
    afterSeq: z.coerce.number().int().min(0).default(0).describe('the last `seq` of the previous page'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const FlagCountsSchema = z.object(Object.fromEntries(INTEGRITY_FLAGS.map((f) => [f, z.number().int()])) as Record<(typeof INTEGRITY_FLAGS)[number], z.ZodNumber>);
const TallySchema = z.object({
  ratings: z.number().int().describe('ratings given on the device (system defaults have no integrity facts)'),
  flagged: z.number().int().describe('of them, with at least one flag'),
  flags: FlagCountsSchema,
});
export const IntegrityReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  flags: z.array(z.object({ flag: FlagSchema, zh: z.string(), en: z.string() })).describe('what each flag means'),
  totals: TallySchema,
  windows: z.array(TallySchema.extend({ windowId: z.string().nullable(), windowNumber: z.string().nullable(), department: z.string().nullable() })),
  staff: z.array(
    TallySchema.extend({
      staffId: z.string().nullable().describe('null: rated while nobody was logged in'),
      staffNo: z.string().nullable(),
      name: z.string().nullable(),
      windowNumbers: z.array(z.string()),
    }),
  ),
});
export const FlaggedRatingsSchema = z.object({
  ratings: z.array(
    z.object({
      seq: z.number().int(),
      pressedAt: z.string().describe('when it was pressed (UTC, device clock corrected)'),
      windowId: z.string().nullable(),
      windowNumber: z.string().nullable(),
      staffId: z.string().nullable(),
      staffNo: z.string().nullable(),
      staffName: z.string().nullable(),
      level: z.number().int(),
      msFromInvitation: z.number().int().nullable(),
      staffLoggedIn: z.boolean().nullable(),
      unarmedPressesBefore: z.number().int().nullable(),
      ratingsInLastMinute: z.number().int().nullable(),
      flags: z.array(z.string()),
    }),
  ),
  nextAfterSeq: z.number().int().nullable().describe('pass as afterSeq for the next page; null at the end'),
});

export function integrityRoutes(s: CoreServices): FastifyPluginAsync {
  const guard = s.auth.require('manager', 'supervisor', 'dept-head');
  const security = [{ bearer: [] }];
  const explanations = INTEGRITY_FLAGS.map((flag) => ({ flag, ...FLAG_EXPLANATIONS[flag] }));
  return async (app) => {
    app.get(
      '/api/integrity',
      {
        preHandler: guard,
        schema: {
          security,
          querystring: doc(ReportQuery),
          description: 'R11: per window and per staff, the ratings and how many carry each integrity flag, with what each flag means. A department head sees their departments.',
          response: { 200: doc(IntegrityReportSchema), ...errors(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = parse(ReportQuery, req.query, reply);
        if (!q) return;
        const range = resolveRange(q, s.clock.now(), MAX_DAYS);
        if ('error' in range) return reply.code(400).send({ error: 'bad-request', message: range.error });
        const departments = await visibleDepartments(s.store.db, req.user!);
        const report = await integrityReport(s.store.db, { ...range, departments });
        return { ...range, flags: explanations, ...report } satisfies z.infer<typeof IntegrityReportSchema>;
      },
    );
    app.get(
      '/api/integrity/ratings',
      {
        preHandler: guard,
        schema: {
          security,
          querystring: doc(RatingsQuery),
          description: 'R11: the ratings behind a flag — time, window, staff, level, the press facts and all its flags — in ledger order, paged. Nothing about who rated.',
          response: { 200: doc(FlaggedRatingsSchema), ...errors(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = parse(RatingsQuery, req.query, reply);
        if (!q) return;
        const range = resolveRange(q, s.clock.now(), MAX_DAYS);
        if ('error' in range) return reply.code(400).send({ error: 'bad-request', message: range.error });
        const departments = await visibleDepartments(s.store.db, req.user!);
        const ratings = await flaggedRatings(s.store.db, { ...range, departments, flag: q.flag, windowId: q.windowId, staffId: q.staffId, afterSeq: q.afterSeq, limit: q.limit });
        return { ratings, nextAfterSeq: ratings.length === q.limit ? ratings[ratings.length - 1]!.seq : null } satisfies z.infer<typeof FlaggedRatingsSchema>;
      },
    );
  };
}
