/**
 * The seam between the outbox and one provincial 好差评 system. Each province is a folder under
 * gateway/uplink/provinces/ (its config schema, mapping and sender), picked by the factory in
 * provinces/index.ts; the outbox knows only this interface and the province-neutral items
 * (items.ts). test/uplink/province-contract.ts is the behaviour every adapter must show.
 *
 * Per item, a province answers one of four things. `duplicate` — it already has the item — is
 * success: after a lost answer we send again, and exactly once holds only if a resend is harmless.
 */
import type { AmendmentItem, CorrectionItem, RatingItem, RectificationItem } from './items.js';

export type ItemOutcome =
  | { status: 'accepted' }
  /** Already at the province: for us that is delivered. */
  | { status: 'duplicate' }
  /** Refused for good (the province's reason, or why the adapter cannot map it): a dead letter for hall IT. */
  | { status: 'rejected'; reason: string }
  /** This item only; try again later. */
  | { status: 'retryable'; reason: string };

export type BatchAnswer =
  /** Outcomes keyed by assessId; an item missing from the map is retried, never assumed delivered. */
  | { kind: 'answered'; outcomes: Map<string, ItemOutcome> }
  /** The whole request failed in a way worth retrying (5xx, 429, timeout, a garbled answer, our key refused). */
  | { kind: 'retryable'; reason: string; retryAfterMs?: number };

/**
 * One province. Each call sends a batch of one kind; assessIds are unique within a batch. Calls
 * never throw for transport trouble or a province's refusal: they answer.
 *
 * `submitRectifications` is optional: a province that does not take the follow-up records of 差评
 * leaves it out, and the uplink then queues none (rectification-enqueue.ts) — skipped, not an error.
 */
export interface ProvinceAdapter {
  /** Its name in config (`province.adapter`). */
  readonly name: string;
  /** First ratings and 追加评价 (assessNumber ≥ 2). */
  submitRatings(items: RatingItem[]): Promise<BatchAnswer>;
  /** Ratings that replace the one the province holds for the same case and number, which it keeps as history. Keyed by the new assessId. */
  submitCorrections(items: CorrectionItem[]): Promise<BatchAnswer>;
  /** Reasons and comment for ratings the province already has. */
  submitAmendments(items: AmendmentItem[]): Promise<BatchAnswer>;
  /** A 差评's follow-up record (整改, 反馈, 回访, 核销), newest revision wins; keyed by the 差评's assessId. */
  submitRectifications?(items: RectificationItem[]): Promise<BatchAnswer>;
}
