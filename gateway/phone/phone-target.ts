/**
 * What a phone URL rates (docs/PHONE.md "The addresses"):
 *  - `/w/<windowId>`: the window's service (static code, channel qr-window, no case); with
 *    `?card=<serial>` a paper 评议卡's code, rated once as `card-<serial>` whichever way it comes;
 *  - `/r/<deviceId>/<inviteId>`: the case of a device's invitation (dynamic code, channel qr-case);
 *    an invitation the staff opened on the device has no case, so it rates the device's window;
 *  - `/c/<token>`: the case of a link (SMS, printed), under the link's channel.
 * A case already rated, withdrawn, unknown, or past its link's life opens a page saying so.
 */
import { resolveCaseLink } from '../channels/case-links.js';
import type { RatingChannel } from '../channels/channel-ratings.js';
import { cardForPhone } from '../paper/card-lookup.js';
import { cardAssessId } from '../paper/card-serial.js';
import type { Db, Tx } from '../store/database.js';

export interface RatedPlace {
  windowNumber: string;
  department: string;
}

export type PhoneTarget =
  | ({ kind: 'window'; windowId: string; channel: 'qr-window'; card: string | null; scope: string } & RatedPlace)
  | ({ kind: 'case'; caseNo: string; itemName: string | null; channel: RatingChannel; scope: string } & RatedPlace)
  | { kind: 'closed'; why: 'rated' | 'withdrawn' | 'unknown' | 'expired' | 'card-rated' };

const closed = (why: Extract<PhoneTarget, { kind: 'closed' }>['why']): PhoneTarget => ({ kind: 'closed', why });

export async function windowTarget(db: Db, windowId: string, card: string | undefined): Promise<PhoneTarget> {
  const w = await db.selectFrom('windows').select(['window_id', 'number', 'department']).where('window_id', '=', windowId).executeTakeFirst();
  if (!w) return closed('unknown');
  // Only a card this hall printed for this window counts as one (else anyone could invent serials
  // and spend cards); any other `card` is ignored and the page rates the window as no card.
  const found = card ? await cardForPhone(db, w.window_id, card) : null;
  if (found && !found.ok && found.why === 'entered') return closed('card-rated');
  const serial = found?.ok ? found.serial : null;
  if (serial && (await db.selectFrom('assessments').select('assess_id').where('assess_id', '=', cardAssessId(serial)).executeTakeFirst())) return closed('card-rated');
  return { kind: 'window', windowId: w.window_id, channel: 'qr-window', card: serial, scope: `w|${w.window_id}|${serial ?? ''}`, windowNumber: w.number, department: w.department };
}

async function caseTarget(db: Db, caseNo: string, channel: RatingChannel, scope: string): Promise<PhoneTarget> {
  const c = await db
    .selectFrom('cases as c')
    .innerJoin('windows as w', 'w.window_id', 'c.window_id')
    .select(['c.case_no', 'c.state', 'c.item_name', 'w.number', 'w.department'])
    .where('c.case_no', '=', caseNo)
    .executeTakeFirst();
  if (!c) return closed('unknown');
  if (c.state === 'rated') return closed('rated');
  if (c.state === 'withdrawn') return closed('withdrawn');
  return { kind: 'case', caseNo: c.case_no, itemName: c.item_name, channel, scope, windowNumber: c.number, department: c.department };
}

/** The dynamic code: valid while its case is open, and at most `validMs` after the invitation was issued. */
export async function inviteTarget(db: Db, deviceId: string, inviteId: string, now: number, validMs: number): Promise<PhoneTarget> {
  const inv = await db.selectFrom('invitations').select(['case_no', 'issued_at']).where('invite_id', '=', inviteId).where('device_id', '=', deviceId).executeTakeFirst();
  if (inv) {
    if (Date.parse(inv.issued_at) + validMs <= now) return closed('expired');
    return caseTarget(db, inv.case_no, 'qr-case', `r|${deviceId}|${inviteId}`);
  }
  // Not a case the gateway sent: a "please rate" the staff opened on the device. It rates the window.
  const d = await db.selectFrom('devices').select('window_id').where('device_id', '=', deviceId).where('retired', '=', 0).executeTakeFirst();
  return d?.window_id ? windowTarget(db, d.window_id, undefined) : closed('unknown');
}

/** A link is resolved in a transaction (case-links.ts), as the rating it leads to is written in one. */
export async function linkTarget(trx: Tx, token: string, now: number): Promise<PhoneTarget> {
  const link = await resolveCaseLink(trx, token, new Date(now).toISOString());
  if (!link.ok) return closed(link.why);
  const channel = link.link.channel === 'sms' ? 'sms' : 'qr-case';
  return caseTarget(trx, link.link.case_no, channel, `c|${link.link.token_hash}`);
}
