/**
 * Devices: enrolment and key-proof nonces (called by devices), hall IT's registration, retirement
 * and view of each device (online or offline since, last-known facts, enrolments), alerts,
 * security events and chain gaps.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ConnectNonceSchema, DeviceIdSchema, EnrolmentAnswerSchema } from '@hcp/contract';
import { EnrolBodySchema, RegisterDeviceBodySchema } from '../../enrolment/enrolment.js';
import { doc, errors, parse } from '../api.js';
import { AlertViewSchema, ChainGapSchema, DeviceViewSchema, EnrolmentCodeSchema, EpochSchema, OkAnswer, SecurityEventSchema } from './core-answers.js';
import type { CoreServices } from './core-services.js';

const AckBodySchema = z.object({ comment: z.string().trim().min(1, 'say what was done about it').max(500) });

export function deviceRoutes(s: CoreServices): FastifyPluginAsync {
  const hallItOnly = s.auth.require('hall-it');
  const readersOnly = s.auth.require('hall-it', 'manager', 'supervisor');
  const guarded = (preHandler: typeof hallItOnly, answer: z.ZodType, description: string, extra: Record<string, unknown> = {}) => ({
    preHandler,
    schema: { security: [{ bearer: [] }], description, response: { 200: doc(answer), ...errors(400, 401, 403, 404, 409, 410) }, ...extra },
  });
  return async (app) => {
    app.post(
      '/api/enrol',
      {
        schema: {
          body: doc(EnrolBodySchema),
          response: { 200: doc(EnrolmentAnswerSchema), ...errors(400, 403, 404, 409, 410) },
          description: 'A device presents its one-time code and public key; answers its MQTT credentials.',
        },
      },
      async (req, reply) => {
        const b = parse(EnrolBodySchema, req.body, reply);
        if (!b) return;
        const r = await s.enrolment.enrol(b);
        await s.audit.record({
          actor: `device:${b.deviceId}`,
          action: r.rekeyed ? 'device-rekeyed' : 'device-enrolled',
          subject: b.deviceId,
          detail: { epoch: r.epoch },
          remote: req.ip,
        });
        s.enrolled(b.deviceId);
        return { username: r.username, password: r.password, keyProof: r.keyProof };
      },
    );

    app.post(
      '/api/devices/:deviceId/nonce',
      // Per device id: a hall's devices share one address behind NAT; one id needs a few a minute.
      {
        config: { rateLimit: { max: 30, timeWindow: 60_000, keyGenerator: (req) => `nonce:${(req.params as { deviceId?: string }).deviceId ?? ''}` } },
        schema: { response: { 200: doc(ConnectNonceSchema), ...errors(404, 429) }, description: 'A one-time nonce the device signs into its MQTT password (key proof).' },
      },
      async (req, reply) => {
        const id = DeviceIdSchema.safeParse((req.params as { deviceId: string }).deviceId);
        const n = id.success ? await s.login.issueNonce(id.data) : null;
        if (!n) return reply.code(404).send({ error: 'not-found', message: 'no enrolled device with that id' });
        return n;
      },
    );

    app.get(
      '/api/devices',
      guarded(readersOnly, z.array(DeviceViewSchema), 'Every device: online or offline since when, and its last status report. Roles: hall-it, manager, supervisor.'),
      async () => s.status.list(),
    );
    app.get('/api/devices/:deviceId/enrolments', guarded(readersOnly, z.array(EpochSchema), "A device's enrolments (epochs), oldest first."), async (req) =>
      s.status.epochs((req.params as { deviceId: string }).deviceId),
    );
    app.post(
      '/api/devices',
      guarded(hallItOnly, EnrolmentCodeSchema, 'Register (or move) a device; answers its one-time enrolment code. Roles: hall-it.', { body: doc(RegisterDeviceBodySchema) }),
      async (req, reply) => {
        const b = parse(RegisterDeviceBodySchema, req.body, reply);
        if (!b) return;
        const r = await s.enrolment.registerDevice(b.deviceId, b.windowId);
        await s.audit.record({ actor: req.user!.username, action: 'device-registered', subject: b.deviceId, detail: { windowId: b.windowId }, remote: req.ip });
        return r;
      },
    );
    app.post('/api/devices/:deviceId/retire', guarded(hallItOnly, OkAnswer, 'Retire a device: its credentials stop working; its records stay. Roles: hall-it.'), async (req) => {
      const { deviceId } = req.params as { deviceId: string };
      await s.enrolment.retire(deviceId);
      await s.audit.record({ actor: req.user!.username, action: 'device-retired', subject: deviceId, remote: req.ip });
      s.retired(deviceId);
      return { ok: true as const };
    });

    app.get(
      '/api/alerts',
      guarded(
        readersOnly,
        z.array(AlertViewSchema),
        'Live and unacknowledged alerts, newest first (?all=1: the acknowledged and cleared ones too). Roles: hall-it, manager, supervisor.',
      ),
      async (req) => s.alerts.list({ all: (req.query as { all?: string }).all === '1' }),
    );
    app.post(
      '/api/alerts/:id/ack',
      guarded(s.auth.require('hall-it', 'manager'), OkAnswer, 'Acknowledge an alert with a comment saying what was done. Roles: hall-it, manager.', { body: doc(AckBodySchema) }),
      async (req, reply) => {
        const b = parse(AckBodySchema, req.body, reply);
        if (!b) return;
        const id = Number((req.params as { id: string }).id);
        if (!(await s.alerts.acknowledge(id, req.user!.username, b.comment))) return reply.code(404).send({ error: 'not-found', message: `no unacknowledged alert ${id}` });
        await s.audit.record({ actor: req.user!.username, action: 'alert-acknowledged', subject: String(id), detail: { comment: b.comment }, remote: req.ip });
        return { ok: true as const };
      },
    );
    app.get('/api/security-events', guarded(hallItOnly, z.array(SecurityEventSchema), 'Refused connections and messages, counted per kind and source. Roles: hall-it.'), async () =>
      s.security.list(),
    );
    app.get('/api/chain-gaps', guarded(readersOnly, z.array(ChainGapSchema), 'Gaps seen in device hash chains, newest first.'), async () =>
      s.store.db
        .selectFrom('chain_gaps')
        .select(['device_id as deviceId', 'epoch', 'expected_seq as expectedSeq', 'got_seq as gotSeq', 'detected_at as detectedAt'])
        .orderBy('id', 'desc')
        .limit(200)
        .execute(),
    );
  };
}
