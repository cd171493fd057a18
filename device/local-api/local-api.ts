/**
 * The device's local API for the kiosk UI (contract: device/contract/local-api.ts): HTTP +
 * WebSocket on 127.0.0.1 only, every /api call with the per-boot token. Built in one function and
 * listened on in another (fastify's pattern), so tests can `inject()`.
 *
 * It is a view and a remote control of the runtime; it never exposes a stored contact: the
 * sealed call-back number cannot be read back through it (R10).
 */
import { existsSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  BadgeBodySchema,
  DetailsBodySchema,
  RateBodySchema,
  SettingsBodySchema,
  SkipDetailsBodySchema,
  describeZodError,
  getCatalogue,
  type DeviceView,
} from '../contract/index.js';
import type { DeviceRuntime } from '../runtime/device-runtime.js';
import type { InputOutcome } from '../runtime/ports.js';

export interface LocalApiOptions {
  runtime: DeviceRuntime;
  token: string;
  logger: Logger;
  staticDir?: string;
  /** Extra read-only facts for hall IT's status screen (backlog, rejections). */
  status: () => Record<string, unknown>;
}

const OUTCOME_STATUS: Record<string, number> = {
  'not-armed': 409,
  'no-staff': 409,
  paused: 409,
  'invitation-used': 409,
  'already-detailed': 409,
  'unknown-rating': 404,
  'unknown-badge': 404,
  'storage-full': 507,
  'storage-failed': 500,
  'bad-level': 400,
  'bad-reasons': 400,
  'no-consent': 400,
  'callback-unavailable': 409,
};

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function buildLocalApi(o: LocalApiOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({ loggerInstance: o.logger.child({ ns: 'local-api' }, { level: 'warn' }) as FastifyInstance['log'], bodyLimit: 16 * 1024 });
  await app.register(fastifyWebsocket, { options: { maxPayload: 4096 } });

  app.addHook('onRequest', async (req, reply) => {
    // Loopback only, and only under our own host name: no DNS-rebinding page can drive the device.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== '127.0.0.1' && host !== 'localhost') return reply.code(421).send({ error: 'bad-host', message: 'local API answers on 127.0.0.1 only' });
    if (!req.url.startsWith('/api/')) return;
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    const query = (req.query as { token?: string } | undefined)?.token;
    if (!sameToken(bearer ?? query, o.token)) return reply.code(401).send({ error: 'unauthorized', message: 'missing or wrong local API token' });
  });

  const body = <S extends z.ZodType>(schema: S, req: FastifyRequest, reply: FastifyReply): z.infer<S> | undefined => {
    const parsed = schema.safeParse(req.body ?? {});
    if (parsed.success) return parsed.data;
    void reply.code(400).send({ error: 'bad-request', message: describeZodError(parsed.error) });
    return undefined;
  };
  const answer = (reply: FastifyReply, outcome: InputOutcome) =>
    outcome.accepted
      ? reply.send({ ok: true, ...(outcome.ratingId ? { ratingId: outcome.ratingId } : {}) })
      : reply.code(OUTCOME_STATUS[outcome.code] ?? 409).send({ error: outcome.code, message: outcome.reason });

  app.get('/api/state', async () => o.runtime.view());
  app.get('/api/status', async () => o.status());
  app.get('/api/catalogue/:version', async (req, reply) => {
    const c = getCatalogue((req.params as { version: string }).version);
    return c ? c : reply.code(404).send({ error: 'unknown-catalogue', message: 'no such catalogue version on this device' });
  });

  app.post('/api/rate', async (req, reply) => {
    const b = body(RateBodySchema, req, reply);
    if (b) return answer(reply, await o.runtime.submit({ kind: 'press', level: b.level, source: b.source === 'button' ? 'panel' : 'touch' }));
  });
  app.post('/api/details', async (req, reply) => {
    const b = body(DetailsBodySchema, req, reply);
    if (b)
      return answer(
        reply,
        await o.runtime.addDetails({
          ratingId: b.ratingId,
          reasons: b.reasons,
          consent: b.consent,
          ...(b.comment ? { comment: b.comment } : {}),
          ...(b.phone ? { phone: b.phone } : {}),
        }),
      );
  });
  app.post('/api/details/skip', async (req, reply) => {
    const b = body(SkipDetailsBodySchema, req, reply);
    if (b) return answer(reply, o.runtime.finishDetails(b.ratingId));
  });
  app.post('/api/details/activity', async (req, reply) => {
    const b = body(SkipDetailsBodySchema, req, reply);
    if (b) return answer(reply, o.runtime.detailsActivity(b.ratingId));
  });
  app.post('/api/invite', async (_req, reply) => answer(reply, await o.runtime.submit({ kind: 'please-rate', source: 'api' })));
  app.post('/api/pause', async (_req, reply) => answer(reply, await o.runtime.submit({ kind: 'pause', source: 'api' })));
  app.post('/api/resume', async (_req, reply) => answer(reply, await o.runtime.submit({ kind: 'resume', source: 'api' })));
  app.post('/api/badge', async (req, reply) => {
    const b = body(BadgeBodySchema, req, reply);
    if (b) return answer(reply, await o.runtime.submit({ kind: 'badge', uid: b.uid.toUpperCase(), source: 'api' }));
  });
  app.post('/api/settings', async (req, reply) => {
    const b = body(SettingsBodySchema, req, reply);
    if (b) return { ok: true, settings: o.runtime.updateSettings(Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined))) };
  });

  app.get('/api/live', { websocket: true }, (socket) => {
    const push = (view: DeviceView) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(view));
    };
    push(o.runtime.view());
    o.runtime.events.on('view', push);
    socket.on('close', () => o.runtime.events.off('view', push));
    socket.on('message', () => undefined); // the live channel is one-way
  });

  if (o.staticDir && existsSync(o.staticDir)) {
    await app.register(fastifyStatic, { root: o.staticDir, prefix: '/' });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('hcp device runtime: the kiosk UI is not built (npm run build:kiosk)'));
  }
  return app;
}

/** Listen on loopback only; returns the base URL. */
export async function listenLocalApi(app: FastifyInstance, port: number): Promise<string> {
  await app.listen({ host: '127.0.0.1', port });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('local API did not bind a TCP port');
  return `http://127.0.0.1:${addr.port}`;
}
