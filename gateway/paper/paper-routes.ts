/**
 * The paper card API (docs/PAPER.md). Managers for every window, department heads for their own
 * departments' windows (paper-access.ts); every request and answer described for /openapi.json.
 *
 *   POST /api/paper/batches                 print: issue `count` serials for a window
 *   GET  /api/paper/batches?windowId        the batches printed, with how many were entered
 *   GET  /api/paper/batches/:batchId/pdf    the batch's A4 sheets (four A6 cards each), a download
 *   GET  /api/paper/cards/:serial           one card by typed serial or scanned code: its window and state
 *   POST /api/paper/entries                 enter a filled card → the ratings ledger, once
 *   GET  /api/paper/entries?late&windowId   the cards entered, newest first, late ones marked
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { parse } from '../http/api.js';
import type { ConsoleAuth } from '../http/console-auth.js';
import { routeOptions } from '../http/routes/console-route-options.js';
import { PdfFontMissingError } from '../reports/report-pdf.js';
import { PAPER_ROLES } from './paper-access.js';
import type { PaperBatches } from './paper-batches.js';
import type { PaperEntries } from './paper-entries.js';
import {
  BatchesQuery,
  BatchListSchema,
  BatchParams,
  BatchViewSchema,
  CardViewSchema,
  EntriesQuery,
  EntryBody,
  EntryListSchema,
  EntryViewSchema,
  PrintBody,
  SerialParams,
} from './paper-schemas.js';

export interface PaperRouteParts {
  auth: ConsoleAuth;
  batches: PaperBatches;
  entries: PaperEntries;
  entryWorkingDays: number;
}

export function paperRoutes(p: PaperRouteParts): FastifyPluginAsync {
  const opts = routeOptions(p.auth, 'paper cards', PAPER_ROLES);
  return async (app) => {
    app.post(
      '/api/paper/batches',
      opts({ description: 'Print a batch of 评议卡 for a window: its serials are issued and stored; download the sheets from …/pdf.', body: PrintBody, response: BatchViewSchema }),
      async (req, reply) => {
        const b = parse(PrintBody, req.body, reply);
        if (b) return p.batches.print(req.user!, b.windowId, b.count, req.ip);
      },
    );
    app.get('/api/paper/batches', opts({ description: 'The batches printed, newest first.', querystring: BatchesQuery, response: BatchListSchema }), async (req, reply) => {
      const q = parse(BatchesQuery, req.query, reply);
      if (q) return { batches: await p.batches.list(req.user!, q.windowId) };
    });
    app.get(
      '/api/paper/batches/:batchId/pdf',
      opts({
        description: 'The batch as A4 sheets of four A6 cards with cut marks (application/pdf). Print at 100%.',
        params: BatchParams,
        response: z.string().describe('the PDF'),
      }),
      async (req, reply) => {
        const params = parse(BatchParams, req.params, reply);
        if (!params) return;
        try {
          const { file, pdf } = await p.batches.pdf(req.user!, params.batchId, req.ip);
          return reply
            .header('content-type', 'application/pdf')
            .header('content-disposition', `attachment; filename="${file}"`)
            .serializer((x: unknown) => x as string)
            .send(pdf);
        } catch (err) {
          if (err instanceof PdfFontMissingError) return reply.code(503).send({ error: err.code, message: err.message });
          throw err;
        }
      },
    );
    app.get(
      '/api/paper/cards/:serial',
      opts({ description: 'One card by its serial as typed (hyphens optional) or either QR code as scanned (URL-encoded).', params: SerialParams, response: CardViewSchema }),
      async (req, reply) => {
        const params = parse(SerialParams, req.params, reply);
        if (params) return p.entries.lookup(req.user!, params.serial);
      },
    );
    app.post(
      '/api/paper/entries',
      opts({
        description:
          'Enter a filled card: stored once in the ratings ledger (channel paper-card, assessId card-<serial>). Entered more than paper.entryWorkingDays working days after the service: stored and flagged late.',
        body: EntryBody,
        response: EntryViewSchema,
      }),
      async (req, reply) => {
        const b = parse(EntryBody, req.body, reply);
        if (b) return p.entries.enter(req.user!, b, req.ip);
      },
    );
    app.get('/api/paper/entries', opts({ description: 'The cards entered, newest entry first.', querystring: EntriesQuery, response: EntryListSchema }), async (req, reply) => {
      const q = parse(EntriesQuery, req.query, reply);
      if (q) return { entries: await p.entries.list(req.user!, q), entryWorkingDays: p.entryWorkingDays };
    });
  };
}
