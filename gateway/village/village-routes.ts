/**
 * Hall IT's village route (issue 13, docs/VILLAGE.md), audited:
 *
 *   POST /api/village/bundles                       a bundle (the file's JSON) in → what was stored, and the receipt
 *   POST /api/village/bundles?as=receipt-file       the same import; the answer is the receipt file itself (a download)
 *
 * A bundle refused (altered on the stick, unknown device, a key never enrolled) changes nothing and
 * says what is wrong; one imported answers 200 even when ingest refused some records (a gap, a
 * retired device): they are counted in the summary and listed in the receipt, as an MQTT ack lists them.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { VillageBundleSchema, VillageReceiptSchema } from '@hcp/contract/village-bundle';
import type { AuditLog } from '../audit/audit-log.js';
import type { ConsoleAuth } from '../http/console-auth.js';
import { parse } from '../http/api.js';
import { HALL_IT, routeOptions } from '../http/routes/console-route-options.js';
import type { BundleImporter } from './bundle-import.js';

const ImportQuery = z.object({ as: z.enum(['summary', 'receipt-file']).default('summary') });

export const ImportAnswerSchema = z.object({
  summary: z.object({
    bundleId: z.string(),
    deviceId: z.string(),
    epoch: z.number().int(),
    records: z.number().int(),
    stored: z.number().int().describe('stored by this import'),
    alreadyStored: z.number().int().describe('stored before (an earlier import, or MQTT): not stored again'),
    rejected: z.record(z.string(), z.number().int()).describe('records ingest refused, by code (as an MQTT ack names them)'),
    committedThroughSeq: z.number().int(),
  }),
  receipt: VillageReceiptSchema.nullable().describe('null: the gateway has no village.certFile/keyFile to sign with'),
  receiptFileName: z.string(),
});

export interface VillageRouteDeps {
  importer: BundleImporter;
  auth: ConsoleAuth;
  audit: AuditLog;
  maxBundleBytes: number;
}

export function villageRoutes({ importer, auth, audit, maxBundleBytes }: VillageRouteDeps): FastifyPluginAsync {
  const options = routeOptions(
    auth,
    'village',
    HALL_IT,
  )({
    description: 'Import a village device’s bundle (its file’s JSON as the body) through the MQTT ingest; answers what was stored and the signed receipt for the device.',
    body: VillageBundleSchema,
    querystring: ImportQuery,
    response: ImportAnswerSchema,
  });
  return async (app) => {
    app.post('/api/village/bundles', { ...options, bodyLimit: maxBundleBytes }, async (req, reply) => {
      const q = parse(ImportQuery, req.query, reply);
      if (!q) return;
      const actor = req.user!.username;
      const body = req.body;
      if (typeof body !== 'object' || body === null) return reply.code(400).send({ error: 'bad-bundle', message: 'send the bundle file as the JSON body' });
      const r = await importer.import(body);
      if (!r.ok) {
        await audit.record({ actor, action: 'village-bundle-refused', subject: deviceIdOf(body), detail: { problem: r.problem }, remote: req.ip });
        return reply.code(r.status).send({ error: 'bad-bundle', message: r.problem });
      }
      const s = r.summary;
      await audit.record({
        actor,
        action: 'village-bundle-imported',
        subject: s.deviceId,
        detail: { bundleId: s.bundleId, records: s.records, stored: s.stored, alreadyStored: s.alreadyStored, rejected: s.rejected, committedThroughSeq: s.committedThroughSeq },
        remote: req.ip,
      });
      if (q.as === 'receipt-file') {
        if (!r.receipt) return reply.code(409).send({ error: 'no-receipt-key', message: 'imported, but this gateway has no village.certFile/keyFile to sign a receipt with' });
        // As a file, not through the route's answer schema (which describes the summary).
        return reply
          .type('application/json')
          .header('content-disposition', `attachment; filename="${r.receiptFileName}"`)
          .send(`${JSON.stringify(r.receipt)}\n`);
      }
      return { summary: s, receipt: r.receipt, receiptFileName: r.receiptFileName };
    });
  };
}

/** The device a refused body claims, for the audit line (never trusted for anything else). */
function deviceIdOf(body: object): string | null {
  const id = (body as { deviceId?: unknown }).deviceId;
  return typeof id === 'string' ? id.slice(0, 64) : null;
}
