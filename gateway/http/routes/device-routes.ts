/**
 * Devices: enrolment and key-proof nonces (called by devices), hall IT's registration, retirement
 * and view of each device (online or offline since, last-known facts, enrolments), alerts,
 * security events and chain gaps.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { DeviceIdSchema } from '@hcp/contract';
import { EnrolBodySchema, RegisterDeviceBodySchema } from '../../enrolment/enrolment.js';
import { doc, parse } from '../api.js';
import type { CoreServices } from './core-services.js';

const AckBodySchema = z.object({ comment: z.string().trim().min(1, 'say what was done about it').max(500) });

export function deviceRoutes(s: CoreServices): FastifyPluginAsync {
  const hallIt = { preHandler: s.auth.require('hall-it'), schema: { security: [{ bearer: [] }] } };
  const readers = { preHandler: s.auth.require('hall-it', 'manager', 'supervisor'), schema: { security: [{ bearer: [] }] } };
  return async (app) => {
    app.post(
      '/api/enrol',
      { schema: { body: doc(EnrolBodySchema), description: 'A device presents its one-time code and public key; answers its MQTT credentials.' } },
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
        schema: { description: 'A one-time nonce the device signs into its MQTT password (key proof).' },
      },
      async (req, reply) => {
        const id = DeviceIdSchema.safeParse((req.params as { deviceId: string }).deviceId);
        const n = id.success ? await s.login.issueNonce(id.data) : null;
        if (!n) return reply.code(404).send({ error: 'not-found', message: 'no enrolled device with that id' });
        return n;
      },
    );

    app.get('/api/devices', readers, async () => s.status.list());
    app.get('/api/devices/:deviceId/enrolments', readers, async (req) => s.status.epochs((req.params as { deviceId: string }).deviceId));
    app.post(
      '/api/devices',
      { ...hallIt, schema: { ...hallIt.schema, body: doc(RegisterDeviceBodySchema), description: 'Register (or move) a device; answers its one-time enrolment code.' } },
      async (req, reply) => {
        const b = parse(RegisterDeviceBodySchema, req.body, reply);
        if (!b) return;
        const r = await s.enrolment.registerDevice(b.deviceId, b.windowId);
        await s.audit.record({ actor: req.user!.username, action: 'device-registered', subject: b.deviceId, detail: { windowId: b.windowId }, remote: req.ip });
        return r;
      },
    );
    app.post('/api/devices/:deviceId/retire', hallIt, async (req) => {
      const { deviceId } = req.params as { deviceId: string };
      await s.enrolment.retire(deviceId);
      await s.audit.record({ actor: req.user!.username, action: 'device-retired', subject: deviceId, remote: req.ip });
      s.retired(deviceId);
      return { ok: true };
    });

    app.get('/api/alerts', readers, async (req) => s.alerts.list({ all: (req.query as { all?: string }).all === '1' }));
    app.post('/api/alerts/:id/ack', { preHandler: s.auth.require('hall-it', 'manager'), schema: { body: doc(AckBodySchema), security: [{ bearer: [] }] } }, async (req, reply) => {
      const b = parse(AckBodySchema, req.body, reply);
      if (!b) return;
      const id = Number((req.params as { id: string }).id);
      if (!(await s.alerts.acknowledge(id, req.user!.username, b.comment))) return reply.code(404).send({ error: 'not-found', message: `no unacknowledged alert ${id}` });
      await s.audit.record({ actor: req.user!.username, action: 'alert-acknowledged', subject: String(id), detail: { comment: b.comment }, remote: req.ip });
      return { ok: true };
    });
    app.get('/api/security-events', hallIt, async () => s.security.list());
    app.get('/api/chain-gaps', readers, async () =>
      s.store.db
        .selectFrom('chain_gaps')
        .select(['device_id as deviceId', 'epoch', 'expected_seq as expectedSeq', 'got_seq as gotSeq', 'detected_at as detectedAt'])
        .orderBy('id', 'desc')
        .limit(200)
        .execute(),
    );
  };
}
