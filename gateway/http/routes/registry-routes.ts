/**
 * Hall IT's registry routes: windows and staff (with photos). Every change is in the audit log and
 * reaches the devices of the windows it touches.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { normalisePhoto, normalisePhotoDataUrl, PHOTO_UPLOAD_LIMIT_BYTES } from '../../registry/photos.js';
import { StaffBodySchema, WindowBodySchema } from '../../registry/registry.js';
import { doc, errors, parse } from '../api.js';
import { OkAnswer, PhotoSavedSchema, StaffListItemSchema, WindowRowSchema } from './core-answers.js';
import { visibleDepartments, visibleWindows } from '../scope.js';
import type { CoreServices } from './core-services.js';

const READERS = ['hall-it', 'manager', 'dept-head', 'supervisor'] as const;
/** A staff body may carry the photo as a data URL (base64 is 4/3 of the image). */
const StaffWithPhotoSchema = StaffBodySchema.extend({
  photo: z
    .string()
    .max(Math.ceil(PHOTO_UPLOAD_LIMIT_BYTES * 1.37), `photo is larger than ${PHOTO_UPLOAD_LIMIT_BYTES / 1024 / 1024} MiB`)
    .optional(),
});
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/gif', 'image/tiff', 'application/octet-stream'];

export function registryRoutes(s: CoreServices): FastifyPluginAsync {
  const answers = (answer: z.ZodType) => ({ 200: doc(answer), ...errors(400, 401, 403, 404, 409, 413, 415) });
  const hallIt = (answer: z.ZodType, description: string) => ({
    preHandler: s.auth.require('hall-it'),
    schema: { security: [{ bearer: [] }], description, response: answers(answer) },
  });
  const readers = (answer: z.ZodType, description: string) => ({
    preHandler: s.auth.require(...READERS),
    schema: { security: [{ bearer: [] }], description, response: answers(answer) },
  });
  return async (app) => {
    // Photos arrive as raw image bytes (the console's crop tool, curl --data-binary).
    app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: PHOTO_UPLOAD_LIMIT_BYTES }, (_req, body, done) => done(null, body));

    app.get('/api/windows', readers(z.array(WindowRowSchema), "The hall's windows (a department head: their departments')."), async (req) => {
      const depts = await visibleDepartments(s.store.db, req.user!);
      return (await s.registry.listWindows()).filter((w) => depts === null || (w.departmentId !== null && depts.includes(w.departmentId)));
    });
    const saveWindow = hallIt(OkAnswer, 'Create or change a window (its number and department). Roles: hall-it.');
    app.put('/api/windows', { ...saveWindow, schema: { ...saveWindow.schema, body: doc(WindowBodySchema) } }, async (req, reply) => {
      const b = parse(WindowBodySchema, req.body, reply);
      if (!b) return;
      await s.registry.upsertWindow(b);
      await s.audit.record({ actor: req.user!.username, action: 'window-saved', subject: b.windowId, detail: b, remote: req.ip });
      s.registryChanged(b.windowId);
      return { ok: true as const };
    });

    app.get('/api/staff', readers(z.array(StaffListItemSchema), 'The staff (a department head: those at their windows); photos apart, at /api/staff/{id}/photo.'), async (req) => {
      const windows = await visibleWindows(s.store.db, req.user!);
      return (await s.registry.listStaff())
        .filter((st) => windows === null || (st.windowId !== null && windows.includes(st.windowId)))
        .map(({ photo, ...st }) => ({ ...st, hasPhoto: !!photo }));
    });
    const saveStaff = hallIt(PhotoSavedSchema, 'Create or change a staff member (a photo may come along as a data URL). Roles: hall-it.');
    app.put(
      '/api/staff',
      { ...saveStaff, bodyLimit: Math.ceil(PHOTO_UPLOAD_LIMIT_BYTES * 1.4), schema: { ...saveStaff.schema, body: doc(StaffWithPhotoSchema) } },
      async (req, reply) => {
        const b = parse(StaffWithPhotoSchema, req.body, reply);
        if (!b) return;
        const photo = b.photo ? await normalisePhotoDataUrl(b.photo) : null;
        const { previousWindowId } = await s.registry.upsertStaff({ ...b, ...(photo ? { photo: photo.dataUrl } : {}) });
        const { photo: _p, ...logged } = b;
        await s.audit.record({
          actor: req.user!.username,
          action: 'staff-saved',
          subject: b.staffId,
          detail: { ...logged, photo: photo ? `${photo.width}×${photo.height} JPEG` : null },
          remote: req.ip,
        });
        s.registryChanged(b.windowId);
        if (previousWindowId && previousWindowId !== b.windowId) s.registryChanged(previousWindowId);
        return { ok: true as const, ...(photo ? { photo: { width: photo.width, height: photo.height, bytes: photo.bytes } } : {}) };
      },
    );

    app.put(
      '/api/staff/:staffId/photo',
      {
        ...hallIt(
          PhotoSavedSchema,
          `The staff photo as image bytes (JPEG, PNG or WebP, up to ${PHOTO_UPLOAD_LIMIT_BYTES / 1024 / 1024} MiB); stored upright, cropped to 3:4 and shrunk. Roles: hall-it.`,
        ),
        bodyLimit: PHOTO_UPLOAD_LIMIT_BYTES,
      },
      async (req, reply) => {
        const { staffId } = req.params as { staffId: string };
        if (!Buffer.isBuffer(req.body))
          return reply.code(415).send({ error: 'bad-photo', message: 'send the photo as image bytes with content-type image/jpeg, image/png or image/webp' });
        const photo = await normalisePhoto(req.body);
        const windowId = await s.registry.setStaffPhoto(staffId, photo.dataUrl);
        await s.audit.record({ actor: req.user!.username, action: 'staff-photo-saved', subject: staffId, detail: { width: photo.width, height: photo.height }, remote: req.ip });
        s.registryChanged(windowId);
        return { ok: true as const, photo: { width: photo.width, height: photo.height, bytes: photo.bytes } };
      },
    );
    app.get(
      '/api/staff/:staffId/photo',
      { preHandler: s.auth.require(...READERS), schema: { security: [{ bearer: [] }], description: 'The staff photo (image/jpeg).' } },
      async (req, reply) => {
        const { staffId } = req.params as { staffId: string };
        const windows = await visibleWindows(s.store.db, req.user!);
        const st = (await s.registry.listStaff()).find((x) => x.staffId === staffId && (windows === null || (x.windowId !== null && windows.includes(x.windowId))));
        if (!st?.photo) return reply.code(404).send({ error: 'not-found', message: `no photo for staff ${staffId}` });
        return reply.type('image/jpeg').send(Buffer.from(st.photo.split(',')[1]!, 'base64'));
      },
    );
  };
}
