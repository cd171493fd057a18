/**
 * The seam between the outbox and a provincial 好差评 system. Each province gets its own adapter
 * (a "province profile", NATIONAL-SPEC.md); the outbox only knows these answers.
 */
import type { NationalRating } from './national-mapping.js';

export type RecordOutcome =
  | { status: 'accepted' }
  /** The province already has it: for us that is success (exactly once). */
  | { status: 'duplicate' }
  /** Permanently refused; goes to the dead-letter table with the reason. */
  | { status: 'rejected'; reason: string }
  | { status: 'retryable'; reason: string };

export type SendResult =
  | { kind: 'answered'; outcomes: Map<string, RecordOutcome> }
  /** The whole request failed in a way worth retrying (5xx, 429, timeout, malformed answer). */
  | { kind: 'retryable'; reason: string; retryAfterMs?: number };

export interface ProvinceAdapter {
  /** Send one batch; outcomes are keyed by `assessId`. Never throws for transport trouble. */
  send(batch: NationalRating[]): Promise<SendResult>;
}
