/**
 * Rows of the uplink outbox, as the enqueuer and the sender both write them.
 *
 * Order. Items are spread over UPLINK_LANES lanes by order key — the device for its ratings, the
 * case for a system default — and each lane goes in rating order, so a device's ratings reach the
 * province in the order they were pressed while several requests run at once. Where one item must
 * follow another in a different lane (a correction after the default it replaces, a 追加评价 after
 * its case's first rating) or must not share a batch with it (an amendment after its rating),
 * `after_id` names the row that must be at the province first; the sender leaves the item alone
 * until that row is sent, and lets the rest of the lane go on.
 */
import type { Insertable } from 'kysely';
import type { Tx } from '../store/database.js';
import type { AssessmentsTable, UplinkOutboxTable } from '../store/tables.js';
import type { AmendmentItem, ItemKind, UplinkItem } from './items.js';
import { ratingOf } from './items.js';

export const UPLINK_LANES = 16;

/** FNV-1a of the order key: the same key always lands in the same lane. */
export function laneOf(orderKey: string): number {
  let h = 2166136261;
  for (let i = 0; i < orderKey.length; i++) h = Math.imul(h ^ orderKey.charCodeAt(i), 16777619);
  return (h >>> 0) % UPLINK_LANES;
}

/** A device's ratings go in press order; a default (no device) in its case's lane. */
export function orderKeyOf(a: Pick<AssessmentsTable, 'device_id' | 'case_no' | 'assess_id'>): string {
  if (a.device_id) return `device:${a.device_id}`;
  if (a.case_no) return `case:${a.case_no}`;
  return `assess:${a.assess_id}`;
}

export function itemKeyOf(kind: Exclude<ItemKind, 'rectification'>, assessId: string): string {
  return kind === 'amendment' ? `amend:${assessId}` : `rating:${assessId}`;
}

/** The columns a new row needs besides its item. */
export interface RowPlace {
  caseNo: string | null;
  orderKey: string;
  at: string;
  afterId: number | null;
  replaceable?: boolean;
}

export function newRow(item: UplinkItem, place: RowPlace, now: string, state: 'pending' | 'dead' = 'pending'): Insertable<UplinkOutboxTable> {
  const assessId = item.kind === 'correction' ? item.rating.assessId : item.assessId;
  return {
    // A follow-up's record goes once per revision (each step that changed it), not once per rating.
    item_key: item.kind === 'rectification' ? `rectify:${item.followupId}:${item.revision}` : itemKeyOf(item.kind, assessId),
    kind: item.kind,
    assess_id: assessId,
    case_no: place.caseNo,
    order_key: place.orderKey,
    lane: laneOf(place.orderKey),
    at: place.at,
    after_id: place.afterId,
    replaceable: place.replaceable ? 1 : 0,
    payload: JSON.stringify(item),
    state,
    last_error: null,
    enqueued_at: now,
    sent_at: null,
  };
}

/** The amendment that brings a sent rating's details to the province, or null if it has none to bring. */
export function amendmentFor(item: UplinkItem): AmendmentItem | null {
  const r = ratingOf(item);
  if (!r || r.reasons === null || (r.reasons.length === 0 && !r.comment)) return null;
  return { kind: 'amendment', assessId: r.assessId, reasons: r.reasons, comment: r.comment };
}

/**
 * The province has `row`'s rating without the details that `item` now carries: queue an
 * amendment right behind it (same lane, after it). Idempotent on the item key.
 */
export async function queueAmendment(trx: Tx, row: { id: number; case_no: string | null; order_key: string; at: string }, item: UplinkItem, now: string): Promise<boolean> {
  const amendment = amendmentFor(item);
  if (!amendment) return false;
  const r = await trx
    .insertInto('uplink_outbox')
    .values(newRow(amendment, { caseNo: row.case_no, orderKey: row.order_key, at: row.at, afterId: row.id }, now))
    .onConflict((oc) => oc.column('item_key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}
