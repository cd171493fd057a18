/**
 * Hall IT's side of device releases (docs/UPDATE.md): upload a signed release, list releases and
 * where each device stands, offer one to a canary and then the rest. Every change is audited;
 * a release whose signature or tarball does not check out is refused with the reason and kept nowhere.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { ReleaseError, ReleaseVersionSchema, checkTarball, verifySignedRelease, type ReleaseManifest } from '@hcp/contract/release';
import { doc, errors, parse } from '../http/api.js';
import type { FeatureContext } from '../feature.js';
import { UploadTooLarge, type ReleaseFiles } from './release-files.js';
import type { ReleaseDb } from './releases-schema.js';
import { RolloutError, type Rollouts } from './rollouts.js';

const ReleaseViewSchema = z.object({
  version: z.string(),
  sha256: z.string(),
  size: z.number(),
  minVersion: z.string().nullable(),
  rollbackSafe: z.boolean(),
  notes: z.string().nullable(),
  keyId: z.string(),
  uploadedAt: z.string(),
  uploadedBy: z.string(),
  /** How many devices are in each state (held, offered, …, healthy, rolled-back). */
  states: z.record(z.string(), z.number()),
});
const OfferViewSchema = z.object({ deviceId: z.string(), role: z.string(), state: z.string(), reason: z.string().nullable(), stateAt: z.string() });
const ReleaseDetailSchema = z.object({ release: ReleaseViewSchema, devices: z.array(OfferViewSchema) });
const RolloutBodySchema = z
  .object({
    /** Offered first; the rest wait until it reports healthy. Leave out to offer to every device named now. */
    canary: z.string().min(1).optional(),
    rest: z.array(z.string().min(1)).max(2000).default([]),
  })
  .strict();
const RolloutAnswerSchema = z.object({ offered: z.array(z.string()), held: z.array(z.string()) });
const ContinueAnswerSchema = z.object({ offered: z.array(z.string()) });

export interface ReleaseRouteDeps {
  ctx: FeatureContext;
  rollouts: Rollouts;
  files: ReleaseFiles;
  trustedKeys: KeyObject[];
  maxBytes: number;
}

export function releaseRoutes(d: ReleaseRouteDeps): FastifyPluginAsync {
  const { ctx, rollouts } = d;
  const db = ctx.store.db as unknown as ReleaseDb;
  const hallIt = ctx.auth.require('hall-it');
  const readers = ctx.auth.require('hall-it', 'manager', 'supervisor');
  const guarded = (preHandler: typeof hallIt, answer: z.ZodType, description: string, extra: Record<string, unknown> = {}) => ({
    preHandler,
    schema: { security: [{ bearer: [] }], description, response: { 200: doc(answer), ...errors(400, 401, 403, 404, 409, 413) }, ...extra },
  });
  const audit = (req: FastifyRequest, action: string, subject: string, detail: Record<string, unknown>) =>
    ctx.audit.record({ actor: req.user!.username, action, subject, detail, remote: req.ip });

  async function view(version: string) {
    const r = await db.selectFrom('releases').selectAll().where('version', '=', version).executeTakeFirst();
    if (!r) return null;
    const m = JSON.parse(r.manifest) as ReleaseManifest;
    const counts = await db
      .selectFrom('release_offers')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('version', '=', version)
      .groupBy('state')
      .execute();
    return {
      version: r.version,
      sha256: r.sha256,
      size: r.size,
      minVersion: m.minVersion ?? null,
      rollbackSafe: m.rollbackSafe,
      notes: m.notes ?? null,
      keyId: r.key_id,
      uploadedAt: r.uploaded_at,
      uploadedBy: r.uploaded_by,
      states: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])),
    };
  }

  return async (app) => {
    // The tarball is streamed to disk as it arrives, never held in memory (release-files.ts).
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

    app.post(
      '/api/releases',
      guarded(
        hallIt,
        ReleaseViewSchema,
        'Upload a signed release: the tarball as the body (application/octet-stream), its .release.json base64 in header x-hcp-release. Roles: hall-it.',
      ),
      async (req, reply) => {
        const header = String(req.headers['x-hcp-release'] ?? '');
        let manifest: ReleaseManifest;
        try {
          manifest = verifySignedRelease(JSON.parse(Buffer.from(header, 'base64').toString('utf8') || 'null'), d.trustedKeys);
        } catch (err) {
          const why = err instanceof ReleaseError ? err.message : 'header x-hcp-release must carry the .release.json file, base64';
          await audit(req, 'release-refused', '(upload)', { why });
          return reply.code(400).send({ error: err instanceof ReleaseError ? err.code : 'bad-format', message: why });
        }
        if (await db.selectFrom('releases').select('version').where('version', '=', manifest.version).executeTakeFirst()) {
          return reply.code(409).send({ error: 'exists', message: `release ${manifest.version} is uploaded already (a version is never replaced: make a new one)` });
        }
        if (manifest.size > d.maxBytes) {
          const why = `the release is ${(manifest.size / 1024 / 1024).toFixed(1)} MiB, more than releases.maxSizeMiB allows`;
          await audit(req, 'release-refused', manifest.version, { why });
          return reply.code(413).send({ error: 'too-large', message: why });
        }
        if (!req.body || typeof (req.body as Readable).pipe !== 'function')
          return reply.code(400).send({ error: 'bad-request', message: 'send the tarball as application/octet-stream' });
        let received: Awaited<ReturnType<ReleaseFiles['receive']>>;
        try {
          // One byte more than signed is enough to know it is not the signed tarball.
          received = await d.files.receive(req.body as Readable, manifest.size + 1);
        } catch (err) {
          const why = err instanceof UploadTooLarge ? 'the tarball is larger than the signed manifest says' : `the upload broke off (${(err as Error).message})`;
          await audit(req, 'release-refused', manifest.version, { why });
          return reply.code(400).send({ error: err instanceof UploadTooLarge ? 'tampered' : 'bad-request', message: why });
        }
        try {
          checkTarball(manifest, received.size, received.sha256);
        } catch (err) {
          received.discard();
          const why = (err as Error).message;
          await audit(req, 'release-refused', manifest.version, { why });
          return reply.code(400).send({ error: 'tampered', message: why });
        }
        const signed = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { manifest: string; signature: string; keyId: string };
        received.keep(manifest.version);
        await db
          .insertInto('releases')
          .values({
            version: manifest.version,
            manifest: signed.manifest,
            signature: signed.signature,
            key_id: signed.keyId,
            sha256: received.sha256,
            size: received.size,
            uploaded_at: new Date(ctx.clock.now()).toISOString(),
            uploaded_by: req.user!.username,
          })
          .execute();
        await audit(req, 'release-uploaded', manifest.version, { sha256: manifest.sha256, size: manifest.size, keyId: signed.keyId });
        return view(manifest.version);
      },
    );

    app.get(
      '/api/releases',
      guarded(readers, z.array(ReleaseViewSchema), 'Every uploaded release, newest first, with how many devices stand where. Roles: hall-it, manager, supervisor.'),
      async () => {
        const rows = await db.selectFrom('releases').select('version').orderBy('uploaded_at', 'desc').execute();
        return Promise.all(rows.map((r) => view(r.version)));
      },
    );

    app.get(
      '/api/releases/:version',
      guarded(readers, ReleaseDetailSchema, 'One release and each device offered it: its role and state (and why it rolled back). Roles: hall-it, manager, supervisor.'),
      async (req, reply) => {
        const { version } = req.params as { version: string };
        const release = await view(version);
        if (!release) return reply.code(404).send({ error: 'not-found', message: `no release ${version}` });
        return { release, devices: await rollouts.offersOf(version) };
      },
    );

    app.post(
      '/api/releases/:version/rollout',
      guarded(hallIt, RolloutAnswerSchema, 'Offer a release: to the canary now and to the rest once it is healthy (no canary: to all now). Roles: hall-it.', {
        body: doc(RolloutBodySchema),
      }),
      async (req, reply) => {
        const { version } = req.params as { version: string };
        const b = parse(RolloutBodySchema, req.body, reply);
        if (!b || !ReleaseVersionSchema.safeParse(version).success) return b ? reply.code(404).send({ error: 'not-found', message: `no release ${version}` }) : undefined;
        try {
          const r = await rollouts.offer(version, { canary: b.canary, rest: b.rest, by: req.user!.username });
          await audit(req, 'release-offered', version, { canary: b.canary ?? null, offered: r.offered, held: r.held });
          return r;
        } catch (err) {
          if (err instanceof RolloutError) return reply.code(err.status).send({ error: err.code, message: err.message });
          throw err;
        }
      },
    );

    app.post(
      '/api/releases/:version/continue',
      guarded(hallIt, ContinueAnswerSchema, 'Offer a rollout to the devices held for its canary now, without waiting. Roles: hall-it.'),
      async (req) => {
        const { version } = req.params as { version: string };
        const offered = await rollouts.continueRollout(version);
        await audit(req, 'release-continued', version, { offered });
        return { offered };
      },
    );
  };
}
