/**
 * The gateway's HTTP API (fastify), built in one function and listened on by the root, so tests can
 * `inject()`. Routes come from the core (routes/) and from features. zod validates every body
 * (errors name the field); the route schemas feed the OpenAPI document at /openapi.json. Errors
 * always answer `{ error, message }` (@hcp/contract ApiErrorSchema) — a too-large body too.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ApiErrorSchema, describeZodError } from '@hcp/contract';
import { RegistryError } from '../registry/registry-error.js';
import type { StoreHealth } from '../store/database.js';
import { buildLazySerializer } from './lazy-serializers.js';

export interface ApiOptions {
  logger: Logger;
  https?: { key: Buffer; cert: Buffer } | undefined;
  plugins: FastifyPluginAsync[];
  /** Whether the store could take a write now (StoreHealthWatch): what GET /health answers. */
  health: () => Promise<StoreHealth>;
}

const HealthSchema = z.object({
  ok: z.boolean(),
  problem: z.string().optional().describe('why this worker cannot store ratings now (with 503)'),
});

/** JSON bodies (registry, cases, enrolment) stay small; photo uploads have a route limit of their own. */
export const JSON_BODY_LIMIT = 1024 * 1024;

export async function buildApi(o: ApiOptions): Promise<FastifyInstance> {
  const options = {
    loggerInstance: o.logger.child({ ns: 'http' }, { level: 'warn' }) as FastifyInstance['log'],
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: false,
    schemaController: { compilersFactory: { buildSerializer: buildLazySerializer } },
  };
  // The HTTPS instance differs from the HTTP one only in its server type; routes and inject() are the same.
  const app = (o.https ? Fastify({ ...options, https: o.https }) : Fastify(options)) as unknown as FastifyInstance;
  app.setValidatorCompiler(() => () => true);
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof RegistryError) return reply.code(err.status).send({ error: err.code, message: err.message });
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = req.routeOptions.bodyLimit ?? JSON_BODY_LIMIT;
      return reply.code(413).send({ error: 'too-large', message: `the request body is larger than this route accepts (${(limit / 1024 / 1024).toFixed(1)} MiB)` });
    }
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(500).send({ error: 'internal', message: 'the gateway could not do this; see its log' });
    }
    return reply.code(status).send({ error: err.code ?? 'bad-request', message: err.message });
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'hcp hall gateway', version: '0.2.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    },
  });
  // Per-route limits only (login, nonces); nothing else is limited.
  await app.register(rateLimit, { global: false });
  await app.register(cookie);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The API's pages at /docs, from the package's own files (no CDN: the hall LAN may have no internet).
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null }, theme: { title: 'hcp hall gateway API' } });
  // 503 while the store cannot take a write: a load balancer then sends the console's requests to
  // a worker that can, and a monitor sees why (docs/POSTGRES.md, "Health").
  app.get(
    '/health',
    {
      schema: {
        description: 'Whether this gateway can store ratings now: 200, or 503 with the problem. No login.',
        response: { 200: doc(HealthSchema), 503: doc(HealthSchema) },
      },
    },
    async (_req, reply) => {
      const h = await o.health();
      return reply.code(h.ok ? 200 : 503).send(h);
    },
  );
  for (const plugin of o.plugins) await app.register(plugin);
  return app;
}

/** The error answers a route can give, for its response schemas: `{ 200: doc(X), ...errors(400, 401) }`. */
export function errors<C extends number>(...codes: C[]): Record<C, Record<string, unknown>> {
  return Object.fromEntries(codes.map((c) => [c, doc(ApiErrorSchema)])) as Record<C, Record<string, unknown>>;
}

/** The JSON schema of a zod schema, for the OpenAPI document. */
export const doc = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;

/** Parse a body/query with zod; on failure answer 400 naming the field and return undefined. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, reply: FastifyReply): z.infer<S> | undefined {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  void reply.code(400).send({ error: 'bad-request', message: describeZodError(r.error) });
  return undefined;
}
