/**
 * The events of a follow-up (`followup_events`, append-only: R15 — every step with who, when, a
 * note and its files). The `followups` row is their projection; each step writes both in one
 * transaction (followup-steps.ts).
 */
import type { Tx } from '../store/database.js';
import { lockLogForAppend } from '../store/log-order.js';
import type { Attachment } from './attachment-store.js';

export const EVENT_KINDS = [
  'received',
  'details-received',
  'assigned',
  'verified',
  'resolved',
  'extension-requested',
  'extension-approved',
  'extension-refused',
  'rectified',
  'replied',
  'call-back-failed',
  'called-back',
  'reopened',
  'closed',
  'withdrawn',
  'reminder',
  'escalated',
  'contact-opened',
  'contact-purged',
  'appeal-filed',
  'appeal-refused',
  'written-off',
  'note',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Who acts when no person does: deadlines, reminders, escalation, opening, purging. */
export const SYSTEM = 'system';

export interface NewEvent {
  followupId: string;
  kind: EventKind;
  actor: string;
  at: string;
  note?: string | null | undefined;
  data?: Record<string, unknown> | undefined;
  attachments?: Attachment[] | undefined;
}

/** Append one event; answers its seq. */
export async function appendEvent(trx: Tx, e: NewEvent): Promise<number> {
  await lockLogForAppend(trx, 'followup_events');
  const r = await trx
    .insertInto('followup_events')
    .values({
      followup_id: e.followupId,
      kind: e.kind,
      actor: e.actor,
      at: e.at,
      note: e.note ?? null,
      data: e.data ? JSON.stringify(e.data) : null,
      attachments: e.attachments?.length ? JSON.stringify(e.attachments) : null,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return r.seq;
}
