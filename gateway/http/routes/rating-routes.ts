/**
 * Reading what is stored: the chain records as devices signed them (paged by ingest order) and the
 * hall's ratings per window. A sealed call-back contact never leaves through these (R10).
 */
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { parse } from '../api.js';
import { visibleDepartments, visibleWindows } from '../scope.js';
import type { CoreServices } from './core-services.js';

const PageSchema = z.object({
  afterIngestSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  windowId: z.string().optional(),
});

export function ratingRoutes(s: CoreServices): FastifyPluginAsync {
  const readers = { preHandler: s.auth.require('hall-it', 'manager', 'dept-head', 'supervisor'), schema: { security: [{ bearer: [] }] } };
  return async (app) => {
    app.get('/api/ratings', readers, async (req, reply) => {
      const q = parse(PageSchema, req.query, reply);
      if (!q) return;
      const windows = await visibleWindows(s.store.db, req.user!);
      if (windows !== null && windows.length === 0) return [];
      let query = s.store.db
        .selectFrom('records')
        .select(['ingest_seq', 'epoch', 'at_corrected', 'clock_flag', 'body'])
        .where('ingest_seq', '>', q.afterIngestSeq)
        .orderBy('ingest_seq')
        .limit(q.limit);
      if (q.windowId) query = query.where('window_id', '=', q.windowId);
      if (windows !== null) query = query.where('window_id', 'in', windows);
      const rows = await query.execute();
      return rows.map((r) => {
        const { contact, ...rec } = JSON.parse(r.body) as Record<string, unknown>;
        return { ingestSeq: r.ingest_seq, epoch: r.epoch, atCorrected: r.at_corrected, clockFlag: r.clock_flag, ...rec, ...(contact ? { hasContact: true } : {}) };
      });
    });
    app.get('/api/counts', readers, async (req) => {
      const depts = await visibleDepartments(s.store.db, req.user!);
      if (depts !== null && depts.length === 0) return {};
      let q = s.store.db
        .selectFrom('assessments')
        .select(['window_id', 'level', sql<number>`count(*)`.as('n')])
        .where('superseded_by', 'is', null)
        // A written-off rating (核销, R14) stays listed in /api/ratings but counts no more.
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('write_offs as wo').select('wo.assess_id').whereRef('wo.assess_id', '=', 'assessments.assess_id'))))
        .groupBy(['window_id', 'level']);
      if (depts !== null) q = q.where('department_id', 'in', depts);
      const rows = await q.execute();
      const out: Record<string, Record<string, number>> = {};
      for (const r of rows) (out[r.window_id ?? 'unknown'] ??= { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, total: 0 })[r.level] = Number(r.n);
      for (const w of Object.values(out)) w.total = [1, 2, 3, 4, 5].reduce((a, l) => a + (w[l] ?? 0), 0);
      return out;
    });
  };
}
