/**
 * The devices' side of updates (docs/UPDATE.md): a one-time challenge, a check-in signed with the
 * device's enrolled key over it (the same proof of key as its MQTT connection, DESIGN.md "Key
 * proof") that carries the device's reports and answers its offer, and the download of an offered
 * tarball with the token that answer gave. Nothing here answers a device that is not enrolled, and
 * an unknown id is told the same as a bad signature, so the routes reveal no device ids.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { DeviceIdSchema } from '@hcp/contract';
import { UpdateChallengeSchema, UpdateCheckInSchema, UpdateOfferAnswerSchema, updateCheckInText } from '@hcp/contract/release';
import { doc, errors, parse } from '../http/api.js';
import type { FeatureContext } from '../feature.js';
import type { ReleaseDb, ReleaseTx } from './releases-schema.js';
import type { ReleaseFiles } from './release-files.js';
import type { Rollouts } from './rollouts.js';
import { alertOnUpdateReports } from './update-alerts.js';

const CHALLENGE_TTL_MS = 120_000;

export function deviceUpdateRoutes(ctx: FeatureContext, rollouts: Rollouts, files: ReleaseFiles): FastifyPluginAsync {
  const db = ctx.store.db as unknown as ReleaseDb;
  // The feature's logger already names it (ns: 'releases'): a child with ns again would write the key twice.
  const log = ctx.logger;
  const refuse = { error: 'forbidden', message: 'not an enrolled device, or the proof does not match its key' };
  return async (app) => {
    app.post(
      '/api/releases/device/:deviceId/challenge',
      // Per device id (a hall's devices share one address behind NAT): a device checks in once a minute.
      {
        config: { rateLimit: { max: 240, timeWindow: 60_000, keyGenerator: (req) => `release-challenge:${(req.params as { deviceId?: string }).deviceId ?? ''}` } },
        schema: { response: { 200: doc(UpdateChallengeSchema), ...errors(404, 429) }, description: 'A one-time challenge the device signs into its update check-in.' },
      },
      async (req, reply) => {
        const id = DeviceIdSchema.safeParse((req.params as { deviceId: string }).deviceId);
        const challenge = randomBytes(18).toString('base64url');
        const expiresAt = new Date(ctx.clock.now() + CHALLENGE_TTL_MS).toISOString();
        const issued =
          id.success &&
          (await ctx.store.write(async (t) => {
            const trx = t as unknown as ReleaseTx;
            const d = await trx
              .selectFrom('devices')
              .select('device_id')
              .where('device_id', '=', id.data)
              .where('retired', '=', 0)
              .where('current_epoch', '>', 0)
              .executeTakeFirst();
            if (!d) return false;
            // One per device, replaced by the next: the table never grows past the number of devices.
            await trx.deleteFrom('release_challenges').where('device_id', '=', id.data).execute();
            await trx.insertInto('release_challenges').values({ device_id: id.data, challenge, expires_at: expiresAt }).execute();
            return true;
          }));
        if (!issued) return reply.code(404).send({ error: 'not-found', message: 'no enrolled device with that id' });
        return { challenge, expiresAt };
      },
    );

    app.post(
      '/api/releases/device/:deviceId/check-in',
      {
        schema: {
          body: doc(UpdateCheckInSchema),
          response: { 200: doc(UpdateOfferAnswerSchema), ...errors(400, 403) },
          description: "A device's update check-in: its reports on offered releases; answers the release offered to it, if any.",
        },
      },
      async (req, reply) => {
        const deviceId = (req.params as { deviceId: string }).deviceId;
        const body = parse(UpdateCheckInSchema, req.body, reply);
        if (!body) return;
        if (!(await proven(db, ctx, deviceId, body.challenge, body.signature))) return reply.code(403).send(refuse);
        const { offer: answer, recorded } = await rollouts.checkIn(deviceId, body.reports);
        await alertOnUpdateReports(ctx.alerts, deviceId, recorded);
        for (const r of body.reports) log.info({ deviceId, version: r.version, state: r.state, reason: r.reason }, 'device update report');
        if (answer?.released.length) log.info({ version: answer.version, devices: answer.released.length }, 'the canary is healthy: the rest of the rollout is offered');
        if (!answer) return { offer: null };
        const release = await db.selectFrom('releases').select(['manifest', 'signature', 'key_id']).where('version', '=', answer.version).executeTakeFirstOrThrow();
        return {
          offer: {
            release: { manifest: release.manifest, signature: release.signature, keyId: release.key_id },
            downloadPath: `/api/releases/${encodeURIComponent(answer.version)}/tarball`,
            downloadToken: answer.token,
          },
        };
      },
    );

    app.get(
      '/api/releases/:version/tarball',
      { schema: { description: 'The tarball of an offered release, for the device it was offered to (headers x-hcp-device, x-hcp-download-token).', response: errors(403) } },
      async (req, reply) => {
        const { version } = req.params as { version: string };
        const deviceId = String(req.headers['x-hcp-device'] ?? '');
        const token = String(req.headers['x-hcp-download-token'] ?? '');
        if (!deviceId || !token || !(await rollouts.mayDownload(deviceId, version, token))) {
          return reply.code(403).send({ error: 'forbidden', message: 'this release is not offered to this device (or the download token is stale: check in again)' });
        }
        return reply.type('application/gzip').send(files.open(version));
      },
    );
  };
}

/** The challenge is this device's and fresh (used up either way), and the signature is by its enrolled key. */
async function proven(db: ReleaseDb, ctx: FeatureContext, deviceId: string, challenge: string, signature: string): Promise<boolean> {
  const now = new Date(ctx.clock.now()).toISOString();
  const used = await ctx.store.write(async (t) => {
    const trx = t as unknown as ReleaseTx;
    const r = await trx.deleteFrom('release_challenges').where('device_id', '=', deviceId).where('challenge', '=', challenge).where('expires_at', '>', now).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  });
  if (!used) return false;
  const row = await db
    .selectFrom('devices as d')
    .innerJoin('device_epochs as e', (j) => j.onRef('e.device_id', '=', 'd.device_id').onRef('e.epoch', '=', 'd.current_epoch'))
    .select('e.public_key_pem as pem')
    .where('d.device_id', '=', deviceId)
    .where('d.retired', '=', 0)
    .executeTakeFirst();
  if (!row) return false;
  try {
    return verify(null, Buffer.from(updateCheckInText(deviceId, challenge)), createPublicKey(row.pem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
