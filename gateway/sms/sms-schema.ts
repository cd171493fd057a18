/**
 * The SMS invitation outbox (docs/SMS.md): one row per case (the primary key is the case number,
 * so a case is invited at most once whatever the workers do). Declared here and merged into the
 * store's table list, as channels-schema.ts does.
 */
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const SMS_MIGRATIONS: GatewayMigration[] = [
  {
    name: '20261202-02-sms-outbox',
    up: (db) =>
      runStatements(db, [
        // Never the number: phone_hash is an HMAC under a hall key, kept only while a reply can count.
        `CREATE TABLE sms_outbox (
          case_no TEXT PRIMARY KEY REFERENCES cases (case_no), state TEXT NOT NULL, due_at TEXT NOT NULL,
          out_id TEXT NOT NULL UNIQUE, provider TEXT NOT NULL, provider_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,
          last_attempt_at TEXT, lease_until TEXT, phone_hash TEXT, reply_until TEXT, reason TEXT,
          created_at TEXT NOT NULL, updated_at TEXT NOT NULL, accepted_at TEXT, final_at TEXT)`,
        `CREATE INDEX sms_outbox_due ON sms_outbox (state, due_at)`,
        `CREATE INDEX sms_outbox_provider_id ON sms_outbox (provider_id)`,
        `CREATE INDEX sms_outbox_phone ON sms_outbox (phone_hash)`,
      ]),
  },
];

/** Where an invitation is (docs/SMS.md "States"). */
export const SMS_STATES = ['scheduled', 'sending', 'unknown', 'accepted', 'delivered', 'failed', 'unconfirmed', 'skipped', 'cancelled'] as const;
export type SmsState = (typeof SMS_STATES)[number];
/** States after which nothing more is sent for the case. */
export const FINAL_SMS_STATES: readonly SmsState[] = ['delivered', 'failed', 'unconfirmed', 'skipped', 'cancelled'];

export interface SmsOutboxTable {
  case_no: string;
  state: SmsState;
  /** When the next step may run: the send, the question to the provider, the end of waiting. */
  due_at: string;
  /** Our id for this invitation, given to the provider (OutId, SessionContext) so it can be asked about. */
  out_id: string;
  provider: string;
  /** The provider's id (BizId, SerialNo, msgGroup) once it accepted. */
  provider_id: string | null;
  attempts: number;
  last_attempt_at: string | null;
  lease_until: string | null;
  phone_hash: string | null;
  /** Until when a reply by SMS counts (the link's expiry). */
  reply_until: string | null;
  /** A provider's code or our reason (never the number). */
  reason: string | null;
  created_at: string;
  updated_at: string;
  accepted_at: string | null;
  final_at: string | null;
}

declare module '../store/tables.js' {
  interface GatewayTables {
    sms_outbox: SmsOutboxTable;
  }
}
