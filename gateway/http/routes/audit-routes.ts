/**
 * The audit log for the auditor (and only the auditor):
 *
 *   GET /api/audit?from&to&actor&action&limit&afterId   a page, oldest first
 *   GET /api/audit/export.csv?from&to&actor&action      all of it as CSV, streamed; the export is itself audited
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { auditCsv, auditPage } from '../../audit/audit-query.js';
import { doc, errors, parse } from '../api.js';
import { ChinaDateSchema } from '../date-range.js';
import type { CoreServices } from './core-services.js';

// Strict: a misspelt filter is refused by name rather than quietly widening what is shown.
const FilterShape = {
  from: ChinaDateSchema.optional().describe('first China date (UTC+8) included, YYYY-MM-DD'),
  to: ChinaDateSchema.optional().describe('last China date included, YYYY-MM-DD'),
  actor: z.string().min(1).max(100).optional().describe('who: a username, `device:<id>`, `cli`'),
  action: z.string().min(1).max(64).optional().describe('e.g. login, login-refused, window-saved, audit-exported'),
};
const inOrder = (q: { from?: string | undefined; to?: string | undefined }) => !q.from || !q.to || q.from <= q.to;
const ListQuery = z
  .object({
    ...FilterShape,
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    afterId: z.coerce.number().int().min(0).default(0).describe('the last `id` of the previous page'),
  })
  .strict()
  .refine(inOrder, { path: ['from'], message: 'must not be after to' });
const ExportQuery = z
  .object(FilterShape)
  .strict()
  .refine(inOrder, { path: ['from'], message: 'must not be after to' });

export const AuditPageSchema = z.object({
  entries: z.array(
    z.object({
      id: z.number().int(),
      at: z.string().describe('UTC'),
      actor: z.string(),
      action: z.string(),
      subject: z.string().nullable(),
      detail: z.unknown().describe('what the action was about (JSON), or null'),
      remote: z.string().nullable().describe('the address it came from'),
    }),
  ),
  nextAfterId: z.number().int().nullable().describe('pass as afterId for the next page; null at the end'),
});

export function auditRoutes(s: CoreServices): FastifyPluginAsync {
  const guard = s.auth.require('auditor');
  const security = [{ bearer: [] }];
  return async (app) => {
    app.get(
      '/api/audit',
      {
        preHandler: guard,
        schema: {
          security,
          querystring: doc(ListQuery),
          description: 'The audit log (logins, refusals, every change, every export), oldest first, paged by id.',
          response: { 200: doc(AuditPageSchema), ...errors(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = parse(ListQuery, req.query, reply);
        if (!q) return;
        const entries = await auditPage(s.store.db, q, q.afterId, q.limit);
        return { entries, nextAfterId: entries.length === q.limit ? entries[entries.length - 1]!.id : null } satisfies z.infer<typeof AuditPageSchema>;
      },
    );
    app.get(
      '/api/audit/export.csv',
      {
        preHandler: guard,
        schema: {
          security,
          querystring: doc(ExportQuery),
          description:
            'The audit log as CSV (RFC 4180, UTF-8 with a byte order mark for Excel), streamed. A cell that would start with =, +, - or @ starts with an apostrophe so that Excel runs nothing. The export is itself in the audit log.',
          response: { 200: { description: 'CSV, one row per entry, oldest first', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errors(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = parse(ExportQuery, req.query, reply);
        if (!q) return;
        await s.audit.record({ actor: req.user!.username, action: 'audit-exported', detail: { ...q }, remote: req.ip });
        const name = `hcp-audit${q.from ? `-${q.from}` : ''}${q.to ? `-to-${q.to}` : ''}.csv`;
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(Readable.from(auditCsv(s.store.db, q)));
      },
    );
  };
}
