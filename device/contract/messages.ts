/**
 * Payloads of each MQTT topic (topics.ts), validated on both sides. Anything failing these
 * schemas is refused with a reason and changes nothing.
 */
import { z } from 'zod';
import { CatalogueVersionSchema } from './catalogue.js';
import { ChainRecordSchema, DeviceIdSchema, IsoTimeSchema, RecordIdSchema, Sha256HexSchema } from './records.js';

/** Batches stay small enough for aedes' and Mosquitto's default limits and bounded ack latency. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export const RecordBatchSchema = z.object({
  batchId: RecordIdSchema,
  deviceId: DeviceIdSchema,
  records: z.array(ChainRecordSchema).min(1).max(MAX_BATCH_RECORDS),
});
export type RecordBatch = z.infer<typeof RecordBatchSchema>;

export const RejectionCodeSchema = z.enum([
  'schema',
  'wrong-device',
  'bad-signature',
  'hash-mismatch',
  'chain-gap',
  'chain-fork',
  'unknown-rating',
  'catalogue',
  'retired-device',
]);
export type RejectionCode = z.infer<typeof RejectionCodeSchema>;

export const BatchAckSchema = z.object({
  batchId: RecordIdSchema,
  /** Every record up to and including this seq is committed on the gateway (resends included). */
  committedThroughSeq: z.number().int().min(0),
  /** The gateway's chain head for this device, so a device can tell where the gateway stands. */
  headHash: Sha256HexSchema.optional(),
  rejected: z.array(
    z.object({ id: RecordIdSchema, seq: z.number().int().min(1), code: RejectionCodeSchema, reason: z.string().max(300) }),
  ),
  gatewayTime: IsoTimeSchema,
});
export type BatchAck = z.infer<typeof BatchAckSchema>;

export const DeviceStatusSchema = z.object({
  deviceId: DeviceIdSchema,
  online: z.boolean(),
  softwareVersion: z.string().max(40).optional(),
  backlog: z.number().int().min(0).optional(),
  lastSyncAt: IsoTimeSchema.nullable().optional(),
  /** Device clock minus gateway clock, from the last ack (ms). */
  clockOffsetMs: z.number().int().optional(),
  panel: z.enum(['connected', 'disconnected', 'absent']).optional(),
  at: IsoTimeSchema.optional(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

export const StaffEntrySchema = z.object({
  staffId: z.string().min(1).max(64),
  staffNo: z.string().min(1).max(32),
  name: z.string().min(1).max(60),
  /** 岗位 (R4). */
  post: z.string().min(1).max(60),
  /** 职务 (R4). */
  title: z.string().min(1).max(60),
  /** Badge UIDs as upper-case hex. */
  badgeUids: z.array(z.string().regex(/^[0-9A-F]{8,20}$/, 'badge UID must be 8-20 upper-case hex digits')).max(8),
  /** data: URL of the photo (small JPEG/PNG), carried in the retained config so it works offline. */
  photo: z.string().max(200_000).optional(),
});
export type StaffEntry = z.infer<typeof StaffEntrySchema>;

export const DeviceConfigSchema = z.object({
  configVersion: z.number().int().min(1),
  deviceId: DeviceIdSchema,
  hallName: z.string().min(1).max(100),
  window: z.object({ id: z.string().min(1).max(64), number: z.string().min(1).max(16), department: z.string().max(100) }),
  roster: z.array(StaffEntrySchema).max(200),
  catalogue: CatalogueVersionSchema.optional(),
  catalogueVersion: z.string().min(1).max(32),
  invitationTimeoutSec: z.number().int().min(10).max(3600),
  /** Hall key that call-back contacts are sealed to (SPKI PEM, X25519). */
  contactKey: z.object({ keyId: z.string().min(1).max(64), publicKeyPem: z.string().min(1).max(1000) }).optional(),
  /** Base URL for the per-window and per-case QR codes (R8). */
  qrBaseUrl: z.string().url().optional(),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

export const InvitePayloadSchema = z.object({
  inviteId: RecordIdSchema,
  caseNo: z.string().min(1).max(50),
  itemCode: z.string().min(1).max(64).optional(),
  itemName: z.string().min(1).max(200).optional(),
  issuedAt: IsoTimeSchema,
});
export type InvitePayload = z.infer<typeof InvitePayloadSchema>;

/** Format a zod error as one line naming each bad field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** What a device signs with its key to enrol (proof that it holds the key it presents). */
export function enrolmentProofText(deviceId: string, code: string): string {
  return `hcp-enrol-1:${deviceId}:${code}`;
}
