/**
 * The reports' API (docs/REPORTS.md). Whole-hall reports, so readers are the manager and the
 * supervisor; a department head is not given them (a snapshot is one hashed whole — a cut of it for
 * one department would no longer verify). Making one is the manager's, and audited.
 *
 *   GET  /api/reports?kind&period                      snapshots' envelopes (no content)
 *   GET  /api/reports/:snapshotId                      envelope and content (JSON)
 *   GET  /api/reports/:snapshotId/verify               both hashes recomputed, the link to the version before
 *   GET  /api/reports/:snapshotId/export/:format       xlsx | csv | pdf (a download)
 *   POST /api/reports/generate { kind, period }        make it now (or a next version if the data changed)
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { ConsoleAuth } from '../http/console-auth.js';
import { parse } from '../http/api.js';
import { routeOptions } from '../http/routes/console-route-options.js';
import { parsePeriod } from './periods.js';
import { ReportContentSchema } from './report-content.js';
import { reportCsv } from './report-csv.js';
import { PeriodNotEndedError, type ReportDesk } from './report-desk.js';
import { findPdfFont, PdfFontMissingError, reportPdf, type PdfFont } from './report-pdf.js';
import { reportXlsx } from './report-xlsx.js';
import { SnapshotMetaSchema, VerificationSchema } from './snapshots.js';

const KindSchema = z.enum(['monthly', 'quarterly']);
const ListQuery = z.object({ kind: KindSchema.optional(), period: z.string().max(10).optional() });
const IdParams = z.object({ snapshotId: z.string().regex(/^(monthly|quarterly)-\d{4}-(\d{2}|Q[1-4])-v\d+$/, 'snapshotId: <kind>-<period>-v<n>, e.g. monthly-2026-11-v1') });
const ExportParams = IdParams.extend({ format: z.enum(['xlsx', 'csv', 'pdf']) });
const GenerateBody = z.object({ kind: KindSchema, period: z.string().max(10) });

export const SnapshotListSchema = z.object({ snapshots: z.array(SnapshotMetaSchema) });
export const SnapshotWithContentSchema = z.object({ snapshot: SnapshotMetaSchema, content: ReportContentSchema });
export const GeneratedSchema = z.object({ snapshot: SnapshotMetaSchema, created: z.boolean().describe('false: nothing changed, this is the latest version as it was') });

const CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
} as const;

export interface ReportsRouteDeps {
  desk: ReportDesk;
  auth: ConsoleAuth;
  audit: AuditLog;
  pdfFont?: PdfFont | undefined;
}

export function reportsRoutes({ desk, auth, audit, pdfFont }: ReportsRouteDeps): FastifyPluginAsync {
  const read = routeOptions(auth, 'reports', ['manager', 'supervisor']);
  const make = routeOptions(auth, 'reports', ['manager']);
  return async (app) => {
    app.get(
      '/api/reports',
      read({ description: 'Report snapshots (envelopes, no content), newest period first, versions in order.', querystring: ListQuery, response: SnapshotListSchema }),
      async (req, reply) => {
        const q = parse(ListQuery, req.query, reply);
        if (!q) return;
        return { snapshots: await desk.snapshots.list(q) };
      },
    );

    app.get(
      '/api/reports/:snapshotId',
      read({ description: 'One snapshot: its envelope and the report content.', params: IdParams, response: SnapshotWithContentSchema }),
      async (req, reply) => {
        const p = parse(IdParams, req.params, reply);
        if (!p) return;
        const s = await desk.snapshots.get(p.snapshotId);
        if (!s) return reply.code(404).send({ error: 'not-found', message: `no report ${p.snapshotId}` });
        return { snapshot: s.meta, content: s.content };
      },
    );

    app.get(
      '/api/reports/:snapshotId/verify',
      read({
        description: 'Recompute the snapshot’s content hash and envelope hash from the stored row and check its link to the version before.',
        params: IdParams,
        response: VerificationSchema,
      }),
      async (req, reply) => {
        const p = parse(IdParams, req.params, reply);
        if (!p) return;
        const v = await desk.snapshots.verify(p.snapshotId);
        if (!v) return reply.code(404).send({ error: 'not-found', message: `no report ${p.snapshotId}` });
        return v;
      },
    );

    app.get(
      '/api/reports/:snapshotId/export/:format',
      read({ description: 'The snapshot as a download: xlsx, csv or pdf.', params: ExportParams, response: z.string().describe('the file') }),
      async (req, reply) => {
        const p = parse(ExportParams, req.params, reply);
        if (!p) return;
        const s = await desk.snapshots.get(p.snapshotId);
        if (!s) return reply.code(404).send({ error: 'not-found', message: `no report ${p.snapshotId}` });
        let body: Buffer | string;
        try {
          body =
            p.format === 'xlsx'
              ? await reportXlsx(s.content, s.meta)
              : p.format === 'csv'
                ? reportCsv(s.content, s.meta)
                : await reportPdf(s.content, s.meta, findPdfFont(pdfFont));
        } catch (err) {
          if (err instanceof PdfFontMissingError) return reply.code(503).send({ error: err.code, message: err.message });
          throw err;
        }
        await audit.record({ actor: req.user!.username, action: 'report-export', subject: p.snapshotId, detail: { format: p.format }, remote: req.ip });
        return reply
          .header('content-type', CONTENT_TYPES[p.format])
          .header('content-disposition', `attachment; filename="${p.snapshotId}.${p.format}"`)
          .serializer((x: unknown) => x as string)
          .send(body);
      },
    );

    app.post(
      '/api/reports/generate',
      make({
        description: 'Make the period’s report now: a first version, a next one if the data changed since the latest, or the latest as it is.',
        body: GenerateBody,
        response: GeneratedSchema,
      }),
      async (req, reply) => {
        const b = parse(GenerateBody, req.body, reply);
        if (!b) return;
        const period = parsePeriod(b.kind, b.period);
        if ('error' in period) return reply.code(400).send({ error: 'bad-request', message: period.error });
        try {
          const r = await desk.generate(period, req.user!.username);
          await audit.record({ actor: req.user!.username, action: 'report-generate', subject: r.snapshot.snapshotId, detail: { created: r.created }, remote: req.ip });
          return reply.code(r.created ? 201 : 200).send(r);
        } catch (err) {
          if (err instanceof PeriodNotEndedError) return reply.code(409).send({ error: err.code, message: err.message });
          throw err;
        }
      },
    );
  };
}
