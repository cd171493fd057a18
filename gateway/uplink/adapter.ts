/**
 * The seam between the outbox and a provincial 好差评 system. Each province gets its own adapter
 * (a "province profile", NATIONAL-SPEC.md); the outbox only knows these answers.
 */

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

/**
 * One outbox row as sent: the national record (NationalRating) already serialised, so a large
 * backlog is not parsed and re-serialised on every batch. An adapter with another wire form parses it.
 */
export interface OutboundRecord {
  assessId: string;
  json: string;
}

export interface ProvinceAdapter {
  /** Send one batch; outcomes are keyed by `assessId`. Never throws for transport trouble. */
  send(batch: OutboundRecord[]): Promise<SendResult>;
}
