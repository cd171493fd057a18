/**
 * The shapes the core's device and registry routes answer with, for /openapi.json (the console's
 * types are generated from it) and for fastify's serializer, which sends only what is described
 * here: a field added to a view without its schema does not leak out unnoticed.
 */
import { z } from 'zod';
import { DeviceStatusSchema, StaffEntrySchema } from '@hcp/contract';

export const OkAnswer = z.object({ ok: z.literal(true) });

export const DeviceViewSchema = z.object({
  deviceId: z.string(),
  windowId: z.string().nullable(),
  retired: z.boolean(),
  enrolled: z.boolean(),
  epoch: z.number(),
  headSeq: z.number(),
  online: z.boolean(),
  offlineSince: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  status: DeviceStatusSchema.partial().nullable().describe("the device's last status report (backlog, last sync, clock offset, version, panel, reader, store fill)"),
});

export const EpochSchema = z.object({ epoch: z.number(), keyFingerprint: z.string(), headSeq: z.number(), enrolledAt: z.string(), endedAt: z.string().nullable() });

export const EnrolmentCodeSchema = z.object({ code: z.string().describe('one-time enrolment code: show it to hall IT once'), expiresAt: z.string() });

export const AlertViewSchema = z.object({
  id: z.number(),
  kind: z.string(),
  subject: z.string(),
  detail: z.string(),
  raisedAt: z.string(),
  lastAt: z.string(),
  count: z.number(),
  clearedAt: z.string().nullable(),
  ackedAt: z.string().nullable(),
  ackedBy: z.string().nullable(),
  ackComment: z.string().nullable(),
});

export const SecurityEventSchema = z.object({
  kind: z.string(),
  clientId: z.string().nullable(),
  remote: z.string().nullable(),
  detail: z.string().nullable(),
  count: z.number(),
  firstAt: z.string(),
  lastAt: z.string(),
});

export const ChainGapSchema = z.object({ deviceId: z.string(), epoch: z.number(), expectedSeq: z.number(), gotSeq: z.number(), detectedAt: z.string() });

export const WindowRowSchema = z.object({ windowId: z.string(), number: z.string(), department: z.string(), departmentId: z.string().nullable() });

export const StaffListItemSchema = StaffEntrySchema.omit({ photo: true }).extend({ windowId: z.string().nullable(), hasPhoto: z.boolean() });

export const PhotoSavedSchema = z.object({ ok: z.literal(true), photo: z.object({ width: z.number(), height: z.number(), bytes: z.number() }).optional() });
