/**
 * The records a device appends to its hash chain (docs/DESIGN.md "Invariants", tamper evidence).
 * Records are append-only. A rating is one record; what the citizen adds afterwards (reasons,
 * comment, consented call-back contact) is a second, `detail` record naming the rating, so the
 * rating is durable the moment it is pressed and nothing is ever edited (R15: corrections are new
 * records).
 */
import { z } from 'zod';
import { RatingLevelSchema } from './levels.js';

/** Time-ordered, globally unique (UUIDv7): random ids slow SQLite inserts as tables grow. */
export const RecordIdSchema = z.uuid({ version: 'v7', message: 'id must be a UUIDv7' });
export const DeviceIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/, 'device id must be 3-63 chars of a-z, 0-9 and -');
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest');
export const SignatureSchema = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a base64 Ed25519 signature');
export const IsoTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' });

/** The hash a device's first record points back to. */
export const GENESIS_HASH = '0'.repeat(64);

/** The invitation that armed the device (R3: one invitation, one rating; R9: case and item). */
export const InvitationRefSchema = z.object({
  id: RecordIdSchema,
  source: z.enum(['case', 'staff']),
  caseNo: z.string().min(1).max(50).optional(),
  itemCode: z.string().min(1).max(64).optional(),
  itemName: z.string().min(1).max(200).optional(),
  invitedAt: IsoTimeSchema,
});
export type InvitationRef = z.infer<typeof InvitationRefSchema>;

/** Facts the gateway uses to spot 刷好评 and pressure (R11). Flags, never drops. */
export const IntegrityFactsSchema = z.object({
  msFromInvitation: z.number().int().min(0),
  staffLoggedIn: z.boolean(),
  /** Presses while not armed since the previous rating. */
  unarmedPressesBefore: z.number().int().min(0),
  /** Ratings by this device in the 60 s before this one. */
  ratingsInLastMinute: z.number().int().min(0),
  flags: z.array(z.enum(['fast-press', 'burst', 'unarmed-presses', 'no-staff'])),
});
export type IntegrityFacts = z.infer<typeof IntegrityFactsSchema>;

const ChainFieldsSchema = z.object({
  id: RecordIdSchema,
  deviceId: DeviceIdSchema,
  /** 1, 2, 3 … per device, no gaps. */
  seq: z.number().int().min(1),
  prevHash: Sha256HexSchema,
  /** sha256 over `canonicalRecordBytes` (chain.ts). */
  hash: Sha256HexSchema,
  /** Ed25519 over the hash, with the device's enrolled key. */
  sig: SignatureSchema,
  at: IsoTimeSchema,
});

export const RatingRecordSchema = ChainFieldsSchema.extend({
  kind: z.literal('rating'),
  level: RatingLevelSchema,
  channel: z.enum(['device-touch', 'device-button', 'paper-card']),
  catalogueVersion: z.string().min(1).max(32),
  windowId: z.string().min(1).max(64),
  staffId: z.string().min(1).max(64).optional(),
  invitation: InvitationRefSchema,
  facts: IntegrityFactsSchema,
});
export type RatingRecord = z.infer<typeof RatingRecordSchema>;

/**
 * A rater's contact for a call-back, sealed to the hall's contact key (X25519 + AES-256-GCM) so
 * that neither the device nor the rated staff can read it back (R10). Given only with consent.
 */
export const SealedContactSchema = z.object({
  alg: z.literal('x25519-aes256gcm'),
  /** Which hall key it was sealed to. */
  keyId: z.string().min(1).max(64),
  epk: z.string().min(1).max(200),
  iv: z.string().min(1).max(64),
  ct: z.string().min(1).max(400),
  tag: z.string().min(1).max(64),
});
export type SealedContact = z.infer<typeof SealedContactSchema>;

export const DetailRecordSchema = ChainFieldsSchema.extend({
  kind: z.literal('detail'),
  ratingId: RecordIdSchema,
  reasons: z.array(z.number().int().min(100).max(599)).max(16),
  comment: z.string().max(500).optional(),
  contact: SealedContactSchema.optional(),
});
export type DetailRecord = z.infer<typeof DetailRecordSchema>;

export const ChainRecordSchema = z.discriminatedUnion('kind', [RatingRecordSchema, DetailRecordSchema]);
export type ChainRecord = z.infer<typeof ChainRecordSchema>;
/** A record before hashing and signing. */
export type UnsignedRecord = Omit<RatingRecord, 'hash' | 'sig'> | Omit<DetailRecord, 'hash' | 'sig'>;
