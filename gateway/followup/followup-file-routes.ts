/**
 * The follow-up's files (followup-routes.ts registers them): upload the bytes of an image or a PDF
 * for a step or an appeal (answers its sha256 to name it), and fetch a file an event or appeal of
 * the follow-up keeps — both for whoever may read the follow-up (attachment-store.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parse } from '../http/api.js';
import type { routeOptions } from '../http/routes/console-route-options.js';
import type { Db } from '../store/database.js';
import type { AttachmentStore } from './attachment-store.js';
import { mustSee } from './followup-access.js';
import { FollowupError } from './followup-error.js';
import { UploadedSchema } from './followup-schemas.js';

export const IdParams = z.object({ id: z.string().regex(/^fu-[0-9a-f-]{36}$/, 'id must be a follow-up id (fu-…)') });
const FileParams = IdParams.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 hex digits') });

type Options = ReturnType<typeof routeOptions>;

export function fileRoutes(
  app: FastifyInstance,
  p: { db: Db; files: AttachmentStore; id: (req: FastifyRequest, reply: FastifyReply) => string | undefined; read: Options; attach: Options },
): void {
  const { id, read, attach } = p;
  app.post(
    '/api/followups/:id/attachments',
    {
      ...attach({
        description: 'Keep a file (JPEG, PNG, WebP, GIF or PDF bytes) for a step or an appeal; answers its sha256 to name it.',
        response: UploadedSchema,
        params: IdParams,
      }),
      bodyLimit: p.files.maxBytes,
    },
    async (req, reply) => {
      const followupId = id(req, reply);
      if (!followupId) return;
      await mustSee(p.db, req.user!, await loadRouted(p.db, followupId));
      if (!Buffer.isBuffer(req.body))
        throw new FollowupError('unsupported-type', 'send the file as bytes with content-type image/jpeg, image/png, image/webp, image/gif or application/pdf');
      return p.files.save(req.body);
    },
  );
  app.get(
    '/api/followups/:id/attachments/:sha256',
    { ...read({ description: 'A file an event or appeal of this follow-up keeps.', response: z.unknown(), params: FileParams }) },
    async (req, reply) => {
      const q = parse(FileParams, req.params, reply);
      if (!q) return;
      await mustSee(p.db, req.user!, await loadRouted(p.db, q.id));
      const kept = await keptFile(p.db, q.id, q.sha256);
      const stream = kept ? p.files.open(q.sha256) : null;
      if (!kept || !stream) throw new FollowupError('not-found', `follow-up ${q.id} keeps no file ${q.sha256.slice(0, 12)}…`);
      return reply
        .type(kept.type)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(kept.name)}`)
        .header('x-content-type-options', 'nosniff')
        .send(stream);
    },
  );
}

async function loadRouted(db: Db, id: string) {
  const f = await db.selectFrom('followups').select(['followup_id', 'department_id', 'handler']).where('followup_id', '=', id).executeTakeFirst();
  if (!f) throw new FollowupError('not-found', `no follow-up ${id}`);
  return f;
}

/** The file as an event or an appeal of this follow-up keeps it, or null. */
async function keptFile(db: Db, followupId: string, sha256: string): Promise<{ name: string; type: string } | null> {
  const lists = [
    ...(await db.selectFrom('followup_events').select('attachments as a').where('followup_id', '=', followupId).where('attachments', 'like', `%${sha256}%`).execute()),
    ...(await db.selectFrom('appeals').select('evidence as a').where('followup_id', '=', followupId).where('evidence', 'like', `%${sha256}%`).execute()),
  ];
  for (const l of lists) {
    const found = (JSON.parse(l.a ?? '[]') as Array<{ sha256: string; name: string; type: string }>).find((x) => x.sha256 === sha256);
    if (found) return found;
  }
  return null;
}
