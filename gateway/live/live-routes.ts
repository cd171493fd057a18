/**
 * The live hall for the console (实时大厅): the day's figures, the recent feed, a stream of new
 * ratings and alerts (Server-Sent Events, so a 差评 rings in the manager's browser within seconds),
 * and the lobby's big screen (大屏) through links that show aggregates only.
 *
 *   GET  /api/live/summary?date=YYYY-MM-DD   the day's figures (scoped for a department head)
 *   GET  /api/live/feed?afterSeq=&limit=     ledger changes, newest last
 *   GET  /api/live/events                    text/event-stream: `rating` and `alert` events
 *   GET  /api/live/screen?key=&date=         the big screen's figures (a screen link's key, no login)
 *   GET/POST /api/screen-links, POST /api/screen-links/:id/revoke
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AlertView } from '../alerts/alert-board.js';
import { doc, errors, parse } from '../http/api.js';
import type { CoreServices } from '../http/routes/core-services.js';
import { visibleDepartments } from '../http/scope.js';
import { chinaDateOf } from '../ratings/assessments.js';
import type { LiveHub } from './live-hub.js';
import { lastLogSeq, liveFeed, liveSummary, type FeedItem } from './live-queries.js';
import type { ScreenLinks } from './screen-links.js';

const DateQuery = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
    .optional(),
});
const FeedQuery = z.object({ afterSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(50) });
const ScreenQuery = DateQuery.extend({ key: z.string().min(1, 'the screen link key is missing') });
const LinkBody = z.object({ label: z.string().trim().min(1, 'say which screen this is').max(60) });

const LevelsSchema = z.object({ 1: z.number(), 2: z.number(), 3: z.number(), 4: z.number(), 5: z.number() });
const TallySchema = z.object({
  count: z.number(),
  levels: LevelsSchema,
  defaults: z.number().describe('of them, R7 system defaults'),
  bad: z.number().describe('差评 (不满意 + 非常不满意)'),
  goodRate: z.number().nullable().describe('好评率: good levels ÷ all (defaults counted)'),
  activeGoodRate: z.number().nullable().describe('主动评价好评率: good levels ÷ all, defaults left out'),
});
export const LiveSummarySchema = z.object({
  date: z.string(),
  goodLevels: z.array(z.number()),
  totals: TallySchema,
  windows: z.array(TallySchema.extend({ windowId: z.string(), number: z.string().nullable(), department: z.string().nullable(), departmentId: z.string().nullable() })),
  departments: z.array(TallySchema.extend({ departmentId: z.string().nullable(), department: z.string().nullable() })),
  hours: z.array(z.object({ hour: z.number(), count: z.number(), bad: z.number() })),
});
export const FeedItemSchema = z.object({
  seq: z.number(),
  assessId: z.string(),
  change: z.string().describe('created | details'),
  pressedAt: z.string(),
  windowId: z.string().nullable(),
  windowNumber: z.string().nullable(),
  department: z.string().nullable(),
  departmentId: z.string().nullable(),
  staffId: z.string().nullable(),
  level: z.number(),
  bad: z.boolean(),
  reasons: z.array(z.number()).nullable(),
  channel: z.string(),
  isDefault: z.boolean(),
});
const ScreenLinkSchema = z.object({ linkId: z.string(), label: z.string(), createdBy: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });

export interface LiveRoutesDeps {
  s: CoreServices;
  hub: LiveHub;
  links: ScreenLinks;
  goodLevels: number[];
}

export function liveRoutes({ s, hub, links, goodLevels }: LiveRoutesDeps): FastifyPluginAsync {
  const readers = s.auth.require('hall-it', 'manager', 'dept-head', 'supervisor');
  const today = () => chinaDateOf(new Date(s.clock.now()).toISOString());
  return async (app) => {
    app.get(
      '/api/live/summary',
      {
        preHandler: readers,
        schema: {
          querystring: doc(DateQuery),
          response: { 200: doc(LiveSummarySchema), ...errors(400, 401, 403) },
          security: [{ bearer: [] }],
          description: "A day's ratings per window and department: counts, the five levels, 好评率 and 主动评价好评率.",
        },
      },
      async (req, reply) => {
        const q = parse(DateQuery, req.query, reply);
        if (!q) return;
        return liveSummary(s.store.db, q.date ?? today(), await visibleDepartments(s.store.db, req.user!), goodLevels);
      },
    );

    app.get(
      '/api/live/feed',
      {
        preHandler: readers,
        schema: {
          querystring: doc(FeedQuery),
          response: { 200: doc(z.array(FeedItemSchema)), ...errors(400, 401, 403) },
          security: [{ bearer: [] }],
          description: 'Recent ratings and their details, newest last (afterSeq=0: the latest `limit`).',
        },
      },
      async (req, reply) => {
        const q = parse(FeedQuery, req.query, reply);
        if (!q) return;
        return liveFeed(s.store.db, q.afterSeq, q.limit, await visibleDepartments(s.store.db, req.user!));
      },
    );

    app.get(
      '/api/live/events',
      {
        preHandler: readers,
        schema: { security: [{ bearer: [] }], description: 'text/event-stream of `rating` (a feed item) and `alert` events; a comment line every 15 s keeps the connection open.' },
      },
      async (req, reply) => {
        const user = req.user!;
        const departments = await visibleDepartments(s.store.db, user);
        // EventSource resends the last id it saw when it reconnects: resume from there (a gateway
        // restart loses no 差评), else start at the newest change.
        const resume = Number(req.headers['last-event-id']);
        const afterSeq = Number.isSafeInteger(resume) && resume > 0 ? resume : await lastLogSeq(s.store.db);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        res.write(': hcp live\n\n');
        const unsubscribe = hub.subscribe({
          departments,
          alerts: user.role !== 'dept-head',
          afterSeq,
          send: (event: 'rating' | 'alert', data: FeedItem | AlertView) =>
            void res.write(`${event === 'rating' ? `id: ${(data as FeedItem).seq}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
          close: () => res.end(),
        });
        const beat = setInterval(() => res.write(': beat\n\n'), 15_000);
        req.raw.on('close', () => {
          clearInterval(beat);
          unsubscribe();
        });
      },
    );

    app.get(
      '/api/live/screen',
      {
        schema: {
          querystring: doc(ScreenQuery),
          response: { 200: doc(LiveSummarySchema), ...errors(400, 401) },
          description: "The lobby screen's figures (the whole hall, aggregates only), with a screen link's key instead of a login.",
        },
      },
      async (req, reply) => {
        const q = parse(ScreenQuery, req.query, reply);
        if (!q) return;
        if (!(await links.valid(q.key))) return reply.code(401).send({ error: 'unauthorized', message: 'this screen link is unknown or was revoked: ask hall IT for a new one' });
        return liveSummary(s.store.db, q.date ?? today(), null, goodLevels);
      },
    );

    const makers = s.auth.require('hall-it', 'manager');
    app.get('/api/screen-links', { preHandler: makers, schema: { response: { 200: doc(z.array(ScreenLinkSchema)) }, security: [{ bearer: [] }] } }, async () => links.list());
    app.post(
      '/api/screen-links',
      {
        preHandler: makers,
        schema: {
          body: doc(LinkBody),
          response: { 200: doc(z.object({ linkId: z.string(), key: z.string(), path: z.string() })), ...errors(400, 401, 403) },
          security: [{ bearer: [] }],
          description: 'A link for a lobby screen; its key is shown once.',
        },
      },
      async (req, reply) => {
        const b = parse(LinkBody, req.body, reply);
        if (!b) return;
        const link = await links.create(b.label, req.user!.username);
        await s.audit.record({ actor: req.user!.username, action: 'screen-link-created', subject: link.linkId, detail: { label: b.label }, remote: req.ip });
        return { ...link, path: `/#/screen?key=${encodeURIComponent(link.key)}` };
      },
    );
    app.post(
      '/api/screen-links/:linkId/revoke',
      { preHandler: makers, schema: { response: { 200: doc(z.object({ ok: z.literal(true) })), ...errors(401, 403, 404) }, security: [{ bearer: [] }] } },
      async (req, reply) => {
        const { linkId } = req.params as { linkId: string };
        if (!(await links.revoke(linkId))) return reply.code(404).send({ error: 'not-found', message: `no live screen link ${linkId}` });
        await s.audit.record({ actor: req.user!.username, action: 'screen-link-revoked', subject: linkId, remote: req.ip });
        return { ok: true };
      },
    );
  };
}
