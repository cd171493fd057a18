/**
 * Payloads of each MQTT topic (topics.ts), validated on both sides. Anything failing these
 * schemas is refused with a reason and changes nothing.
 */
import { z } from 'zod';
import { CatalogueVersionSchema } from './catalogue.js';
import { type ChainRecord, ChainRecordSchema, DeviceIdSchema, IsoTimeSchema, RecordIdSchema, Sha256HexSchema } from './records.js';

/** Batches stay small enough for aedes' and Mosquitto's default limits and bounded ack latency. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** A batch's records' share of MAX_PAYLOAD_BYTES: the rest is room for its other fields (ids, times, up to 64 clock runs). */
export const BATCH_RECORD_BYTES = MAX_PAYLOAD_BYTES - 64 * 1024;

/**
 * What a record adds to its batch's payload: its JSON's UTF-8 bytes and a comma. Bytes, not the
 * string's length: a Chinese character of a comment or an item's name is three bytes and one
 * character, and 500 records with long comments are well over MAX_PAYLOAD_BYTES.
 */
export const recordPayloadBytes = (r: ChainRecord): number => Buffer.byteLength(JSON.stringify(r)) + 1;

/**
 * How many of `records`, from the first, one batch holds: at most MAX_BATCH_RECORDS, within
 * `maxBytes` (BATCH_RECORD_BYTES, or less for a slow link: device/sync/link-pace.ts), and always one.
 */
export function recordsForOneBatch(records: readonly ChainRecord[], maxBytes = BATCH_RECORD_BYTES): number {
  const limit = Math.min(maxBytes, BATCH_RECORD_BYTES);
  let bytes = 0;
  const n = Math.min(records.length, MAX_BATCH_RECORDS);
  for (let i = 0; i < n; i++) {
    bytes += recordPayloadBytes(records[i]!);
    if (bytes > limit) return Math.max(1, i);
  }
  return n;
}

/**
 * What the device knows of its clock for a run of records (docs/DESIGN.md "Time"). A device's
 * clock can be wrong (a dead RTC battery, never synced) and can be stepped by NTP; the device
 * stamps records from a monotonic clock anchored once per run of its program (a clock epoch), so
 * within an epoch its error is one constant offset. `current`: the records were stamped in the
 * epoch that sends this batch, so the gateway measures the offset itself from `sentAt`; otherwise
 * `offsetMs` is what the device measured against the gateway's acks during that earlier epoch,
 * or null if it never reached the gateway then.
 */
export const ClockRunSchema = z.object({
  fromSeq: z.number().int().min(1),
  current: z.boolean(),
  offsetMs: z.number().int().nullable(),
});
export type ClockRun = z.infer<typeof ClockRunSchema>;

export const RecordBatchSchema = z.object({
  batchId: RecordIdSchema,
  deviceId: DeviceIdSchema,
  records: z.array(ChainRecordSchema).min(1).max(MAX_BATCH_RECORDS),
  /** The device's (monotonic-anchored) clock when it published the batch. */
  sentAt: IsoTimeSchema.optional(),
  /** sha256 of the signing key's SPKI DER (hex): which enrolment's chain this is. */
  keyFingerprint: Sha256HexSchema.optional(),
  /** Clock runs covering the batch's records, by ascending fromSeq. */
  clocks: z.array(ClockRunSchema).max(64).optional(),
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
  /** The record's id is already stored for another record (a replay or a forgery). */
  'duplicate-id',
  /** Signed with a key that is not this device's current enrolment (the device was re-enrolled). */
  'stale-key',
]);
export type RejectionCode = z.infer<typeof RejectionCodeSchema>;

export const BatchAckSchema = z.object({
  batchId: RecordIdSchema,
  /** Every record up to and including this seq is committed on the gateway (resends included). */
  committedThroughSeq: z.number().int().min(0),
  /** The gateway's chain head for this device, so a device can tell where the gateway stands. */
  headHash: Sha256HexSchema.optional(),
  rejected: z.array(z.object({ id: RecordIdSchema, seq: z.number().int().min(1), code: RejectionCodeSchema, reason: z.string().max(300) })),
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
  /** The badge reader, when it is a port of its own (on hcp-panel it is part of the panel). */
  reader: z.enum(['connected', 'disconnected', 'absent']).optional(),
  /** How full the device's store is (0–1 of its configured cap, or of the disk). */
  storeFill: z.number().min(0).max(1).optional(),
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
  /**
   * The commands this gateway may send on the device's `command` topic (DEVICE_COMMANDS): the
   * device subscribes to it only when this lists some, so a new device never asks an older gateway
   * for a topic it would refuse. Plain strings: a command this device does not know must not make
   * it refuse the whole config.
   */
  commands: z.array(z.string().max(40)).max(16).optional(),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

/** The commands of the `command` topic this contract knows (issue 11). */
export const DEVICE_COMMANDS = ['captureBadge'] as const;

/** A capture lasts at most this long: hall IT is at the console while the badge is tapped. */
export const MAX_BADGE_CAPTURE_SEC = 300;

/**
 * gateway → device on the `command` topic: take the next badge tapped within `forSec` (from the
 * command's arrival: the device's clock may be wrong) as a capture, not as a login or logout.
 */
export const DeviceCommandSchema = z.object({
  captureBadge: z.object({ captureId: RecordIdSchema, forSec: z.number().int().min(1).max(MAX_BADGE_CAPTURE_SEC) }),
});
export type DeviceCommand = z.infer<typeof DeviceCommandSchema>;

/** Badge UIDs as upper-case hex, as rosters hold them. */
export const BadgeUidSchema = z.string().regex(/^[0-9A-F]{8,20}$/, 'badge UID must be 8-20 upper-case hex digits');

/** device → gateway on the `badge` topic: the badge tapped for a capture. */
export const BadgeCaptureSchema = z.object({ captureId: RecordIdSchema, uid: BadgeUidSchema });
export type BadgeCapture = z.infer<typeof BadgeCaptureSchema>;

export const InvitePayloadSchema = z.object({
  inviteId: RecordIdSchema,
  caseNo: z.string().min(1).max(50),
  itemCode: z.string().min(1).max(64).optional(),
  itemName: z.string().min(1).max(200).optional(),
  issuedAt: IsoTimeSchema,
  /**
   * How long the invitation may still be opened, from its arrival (a relative time: the device's
   * clock may be wrong). An invitation queued for a device that was offline arrives with less.
   */
  validForSec: z.number().int().min(1).max(86_400).optional(),
});
export type InvitePayload = z.infer<typeof InvitePayloadSchema>;

/** gateway → device on the invite topic: the business system withdrew the case. */
export const WithdrawPayloadSchema = z.object({ withdraw: RecordIdSchema, reason: z.string().max(200) });
export type WithdrawPayload = z.infer<typeof WithdrawPayloadSchema>;
export const InviteTopicSchema = z.union([InvitePayloadSchema, WithdrawPayloadSchema]);

/** device → gateway: what became of an invitation. */
export const InviteReceiptSchema = z.object({
  inviteId: RecordIdSchema,
  /** armed: on screen, waiting for the citizen; refused: could not be opened (code says why); withdrawn: taken off screen. */
  outcome: z.enum(['armed', 'refused', 'withdrawn']),
  code: z.string().max(40).optional(),
  reason: z.string().max(200).optional(),
});
export type InviteReceipt = z.infer<typeof InviteReceiptSchema>;

/** The gateway's answer to enrolment: MQTT credentials, and how the device proves its key when it connects. */
export const EnrolmentAnswerSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  /** connect: sign a fresh gateway nonce into the MQTT password (key-proof.ts); none: the password alone (a site broker). */
  keyProof: z.enum(['connect', 'none']).default('none'),
});
export type EnrolmentAnswer = z.infer<typeof EnrolmentAnswerSchema>;

/** The gateway's answer to `POST /api/devices/{id}/nonce`: a one-time nonce for the device's next MQTT connection (key-proof.ts). */
export const ConnectNonceSchema = z.object({
  /** base64url, no dots (it travels inside the proof password). */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 base64url characters'),
  expiresAt: IsoTimeSchema,
});
export type ConnectNonce = z.infer<typeof ConnectNonceSchema>;

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
