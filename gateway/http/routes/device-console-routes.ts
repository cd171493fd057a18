/**
 * Hall IT's device screens in the console (issue 11): a fresh enrolment code for a registered
 * device, what a provisioning sheet prints besides the code, and badge capture (tap a badge on a
 * chosen device; the console reads its UID to put on a staff member).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { DeviceIdSchema, RecordIdSchema } from '@hcp/contract';
import type { Enrolment } from '../../enrolment/enrolment.js';
import { ProvisioningSchema, type Provisioning } from '../../enrolment/provisioning.js';
import { CaptureBodySchema, CaptureStartedSchema, CaptureStateSchema, type BadgeCaptures } from '../../registry/badge-captures.js';
import { RegistryError } from '../../registry/registry-error.js';
import type { GatewayStore } from '../../store/database.js';
import { parse } from '../api.js';
import type { CoreServices } from './core-services.js';
import { HALL_IT, actorOf, routeOptions } from './console-route-options.js';

export interface DeviceConsoleServices {
  captures: BadgeCaptures;
  /** The provisioning sheet's facts; `consoleHost` is the host the console reached the gateway by. */
  provisioning(consoleHost: string): Provisioning;
}

const DeviceParams = z.object({ deviceId: DeviceIdSchema });
const CaptureParams = z.object({ captureId: RecordIdSchema });
const CodeSchema = z.object({ code: z.string(), expiresAt: z.string() });

/**
 * A fresh one-time code for a registered device (a wiped store, a new SD card), for the window it
 * has. Its current credentials keep working until it enrols with the code: only then are they replaced.
 */
async function reissueCode(store: GatewayStore, enrolment: Enrolment, deviceId: string): Promise<{ code: string; expiresAt: string; windowId: string }> {
  const d = await store.db.selectFrom('devices').select(['window_id', 'retired']).where('device_id', '=', deviceId).executeTakeFirst();
  if (!d) throw new RegistryError('not-found', `no device ${deviceId}: register it first (POST /api/devices)`);
  if (d.retired) throw new RegistryError('retired', `device ${deviceId} is retired`);
  if (!d.window_id) throw new RegistryError('conflict', `device ${deviceId} has no window: register it for one (POST /api/devices)`);
  return { ...(await enrolment.registerDevice(deviceId, d.window_id)), windowId: d.window_id };
}

export function deviceConsoleRoutes(s: CoreServices & DeviceConsoleServices): FastifyPluginAsync {
  const options = routeOptions(s.auth, 'devices', HALL_IT);
  return async (app) => {
    app.post(
      '/api/devices/:deviceId/reenrol',
      options({
        description: 'A fresh one-time enrolment code for a registered device (shown only now, never stored in clear); its current credentials work until it enrols with it.',
        params: DeviceParams,
        response: CodeSchema,
      }),
      async (req, reply) => {
        const p = parse(DeviceParams, req.params, reply);
        if (!p) return;
        const { code, expiresAt, windowId } = await reissueCode(s.store, s.enrolment, p.deviceId);
        await s.audit.record({ actor: req.user!.username, action: 'device-code-reissued', subject: p.deviceId, detail: { windowId, expiresAt }, remote: req.ip });
        return { code, expiresAt };
      },
    );
    app.get(
      '/api/provisioning',
      options({ description: 'What a provisioning sheet prints besides the code: addresses, hall name, the hall CA fingerprint.', response: ProvisioningSchema }),
      async (req) => s.provisioning(req.hostname),
    );
    app.post(
      '/api/devices/:deviceId/capture-badge',
      options({
        description: 'Take the next badge tapped on this (connected) device within forSec (default 60) as a capture instead of a login; poll GET /api/badge-captures/{captureId}.',
        params: DeviceParams,
        body: CaptureBodySchema,
        response: CaptureStartedSchema,
      }),
      async (req, reply) => {
        const p = parse(DeviceParams, req.params, reply);
        const b = p && parse(CaptureBodySchema, req.body, reply);
        if (!p || !b) return;
        return s.captures.start(p.deviceId, b.forSec, actorOf(req));
      },
    );
    app.get(
      '/api/badge-captures/:captureId',
      options({ description: 'A badge capture: waiting, captured (with the badge UID), or expired.', params: CaptureParams, response: CaptureStateSchema }),
      async (req, reply) => {
        const p = parse(CaptureParams, req.params, reply);
        if (!p) return;
        return s.captures.state(p.captureId);
      },
    );
  };
}
