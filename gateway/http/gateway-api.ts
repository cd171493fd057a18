/**
 * The gateway's HTTP API (fastify): device enrolment, console login, hall IT's registry of windows,
 * staff and devices, and read endpoints for ratings and per-window counts. Built in one function,
 * listened on by the composition root, so tests can `inject()`. OpenAPI at /openapi.json.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { z } from 'zod';
import { describeZodError } from '../../device/contract/index.js';
import {
  DeviceRegistry, EnrolBodySchema, RegisterDeviceBodySchema, RegistryError, StaffBodySchema, WindowBodySchema,
} from '../enrolment/device-registry.js';
import type { GatewayDb } from '../store/gateway-store.js';
import type { ConsoleAuth } from './auth.js';

export interface GatewayApiDeps {
  db: GatewayDb;
  registry: DeviceRegistry;
  auth: ConsoleAuth;
  logger: Logger;
  /** Called after a change that alters what a device should show (roster, window). */
  onRegistryChange(windowId: string | null): void;
  onDeviceRetired(deviceId: string): void;
  onEnrolled(deviceId: string): void;
  plugins?: FastifyPluginAsync[];
  /** Serve HTTPS with these PEM files' contents (gateway config `http.tls`). */
  https?: { key: Buffer; cert: Buffer };
}

const LoginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
const PageSchema = z.object({ afterIngestSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100), windowId: z.string().optional() });
const STATUS: Record<RegistryError['code'], number> = { 'not-found': 404, conflict: 409, 'bad-code': 403, retired: 410, 'bad-key': 400 };

const doc = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;

export async function buildGatewayApi(d: GatewayApiDeps): Promise<FastifyInstance> {
  const options = { loggerInstance: d.logger.child({ ns: 'http' }, { level: 'warn' }) as FastifyInstance['log'], bodyLimit: 512 * 1024 };
  // The HTTPS instance differs from the HTTP one only in its server type; routes and inject() are the same.
  const app = (d.https ? Fastify({ ...options, https: d.https }) : Fastify(options)) as unknown as FastifyInstance;
  // zod validates bodies (errors name the field); the JSON schemas are for the OpenAPI document only.
  app.setValidatorCompiler(() => () => true);
  await app.register(fastifySwagger, { openapi: { info: { title: 'hcp hall gateway', version: '0.1.0' }, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } } });

  const parse = <S extends z.ZodType>(schema: S, value: unknown, reply: FastifyReply): z.infer<S> | undefined => {
    const r = schema.safeParse(value ?? {});
    if (r.success) return r.data;
    void reply.code(400).send({ error: 'bad-request', message: describeZodError(r.error) });
    return undefined;
  };
  const guard = (reply: FastifyReply, fn: () => unknown) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RegistryError) return reply.code(STATUS[err.code]).send({ error: err.code, message: err.message });
      throw err;
    }
  };
  const hallIt = { preHandler: d.auth.require('hall-it'), schema: { security: [{ bearer: [] }] } };
  const anyRole = { preHandler: d.auth.require('hall-it', 'manager'), schema: { security: [{ bearer: [] }] } };

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', async () => ({ ok: true }));

  app.post('/api/login', { schema: { body: doc(LoginSchema) } }, async (req, reply) => {
    const b = parse(LoginSchema, req.body, reply);
    if (!b) return;
    const s = d.auth.login(b.username, b.password);
    if (!s) {
      d.logger.warn({ username: b.username }, 'console login refused');
      return reply.code(401).send({ error: 'unauthorized', message: 'wrong username or password' });
    }
    return s;
  });

  app.post('/api/enrol', { schema: { body: doc(EnrolBodySchema) } }, async (req, reply) => {
    const b = parse(EnrolBodySchema, req.body, reply);
    if (!b) return;
    return guard(reply, () => {
      const creds = d.registry.enrol(b);
      d.logger.info({ deviceId: b.deviceId }, 'device enrolled');
      d.onEnrolled(b.deviceId);
      return creds;
    });
  });

  app.get('/api/windows', anyRole, async () => d.registry.listWindows());
  app.put('/api/windows', { ...hallIt, schema: { ...hallIt.schema, body: doc(WindowBodySchema) } }, async (req, reply) => {
    const b = parse(WindowBodySchema, req.body, reply);
    if (!b) return;
    d.registry.upsertWindow(b);
    d.onRegistryChange(b.windowId);
    return { ok: true };
  });

  app.get('/api/staff', anyRole, async () => d.registry.listStaff().map(({ photo: _p, ...s }) => s));
  app.put('/api/staff', { ...hallIt, schema: { ...hallIt.schema, body: doc(StaffBodySchema) } }, async (req, reply) => {
    const b = parse(StaffBodySchema, req.body, reply);
    if (!b) return;
    return guard(reply, () => {
      const before = d.registry.listStaff().find((s) => s.staffId === b.staffId)?.windowId ?? null;
      d.registry.upsertStaff(b);
      d.onRegistryChange(b.windowId);
      if (before && before !== b.windowId) d.onRegistryChange(before);
      return { ok: true };
    });
  });

  app.get('/api/devices', anyRole, async () => d.registry.listDevices());
  app.post('/api/devices', { ...hallIt, schema: { ...hallIt.schema, body: doc(RegisterDeviceBodySchema) } }, async (req, reply) => {
    const b = parse(RegisterDeviceBodySchema, req.body, reply);
    if (!b) return;
    return guard(reply, () => d.registry.registerDevice(b.deviceId, b.windowId));
  });
  app.post('/api/devices/:deviceId/retire', hallIt, async (req, reply) => {
    const { deviceId } = req.params as { deviceId: string };
    return guard(reply, () => {
      d.registry.retire(deviceId);
      d.onDeviceRetired(deviceId);
      return { ok: true };
    });
  });

  app.get('/api/ratings', anyRole, async (req: FastifyRequest, reply) => {
    const q = parse(PageSchema, req.query, reply);
    if (!q) return;
    const rows = d.db
      .prepare(`SELECT ingest_seq AS ingestSeq, body FROM records WHERE ingest_seq > ? ${q.windowId ? 'AND window_id = ?' : ''} ORDER BY ingest_seq LIMIT ?`)
      .all(...(q.windowId ? [q.afterIngestSeq, q.windowId, q.limit] : [q.afterIngestSeq, q.limit])) as Array<{ ingestSeq: number; body: string }>;
    // Sealed call-back contacts never leave through the console API (R10): managers use the call-back flow.
    return rows.map((r) => {
      const { contact: _c, ...rec } = JSON.parse(r.body) as Record<string, unknown>;
      return { ingestSeq: r.ingestSeq, ...rec };
    });
  });
  app.get('/api/counts', anyRole, async () => {
    const rows = d.db.prepare("SELECT window_id AS windowId, level, COUNT(*) AS n FROM records WHERE kind = 'rating' GROUP BY window_id, level").all() as Array<{ windowId: string; level: number; n: number }>;
    const out: Record<string, Record<string, number>> = {};
    for (const r of rows) (out[r.windowId] ??= { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, total: 0 })[r.level] = r.n;
    for (const w of Object.values(out)) w.total = [1, 2, 3, 4, 5].reduce((a, l) => a + (w[l] ?? 0), 0);
    return out;
  });
  app.get('/api/chain-gaps', anyRole, async () => d.db.prepare('SELECT device_id AS deviceId, expected_seq AS expectedSeq, got_seq AS gotSeq, detected_at AS detectedAt FROM chain_gaps ORDER BY id DESC LIMIT 200').all());
  app.get('/api/security-events', hallIt, async () => d.db.prepare('SELECT at, kind, client_id AS clientId, detail FROM security_events ORDER BY id DESC LIMIT 200').all());

  for (const plugin of d.plugins ?? []) await app.register(plugin);
  return app;
}
