/**
 * A citizen's reply by SMS (上行短信, "回复1-5评价": 5 非常满意 … 1 非常不满意) as a rating of the
 * case the invitation was for (R8). Matched by the keyed hash of the number and an invitation
 * still valid; stored once (the reply's id is the rating's idempotency key) through
 * recordChannelRating, so a case is rated once whichever channel comes first. A reply that
 * matches nothing, or is not 1–5, is ignored with a log line that names no number (R10).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { recordChannelRating } from '../channels/channel-ratings.js';
import type { Clock, GatewayEventBus } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { mainlandMobile, type SmsReply } from './notifier.js';
import type { SmsContacts } from './sms-contacts.js';

/** The level a reply names: one digit 1–5 (full-width too), nothing else. */
export function replyLevel(text: string): number | null {
  const t = text.normalize('NFKC').trim();
  return /^[1-5]$/.test(t) ? Number(t) : null;
}

export interface ReplyDeps {
  store: GatewayStore;
  clock: Clock;
  contacts: SmsContacts;
  events: GatewayEventBus;
  catalogueVersion: string;
  logger: Logger;
}

export type ReplyResult = 'stored' | 'duplicate' | 'ignored';

export async function takeReply(d: ReplyDeps, reply: SmsReply): Promise<ReplyResult> {
  const level = replyLevel(reply.text);
  if (level === null) {
    d.logger.info('sms reply ignored: it is not a single digit 1-5');
    return 'ignored';
  }
  const mobile = mainlandMobile(reply.phone);
  const nowIso = new Date(d.clock.now()).toISOString();
  const open = mobile
    ? await d.store.db
        .selectFrom('sms_outbox')
        .select('case_no')
        .where('phone_hash', '=', d.contacts.hash(mobile))
        .where('state', 'in', ['sending', 'unknown', 'accepted', 'delivered', 'unconfirmed'])
        .where('reply_until', '>', nowIso)
        .execute()
    : [];
  if (open.length !== 1) {
    d.logger.info({ invitations: open.length }, 'sms reply ignored: it matches no single valid invitation');
    return 'ignored';
  }
  const caseNo = open[0]!.case_no;
  const assessId = `sms-${createHash('sha256').update(reply.replyId).digest('hex').slice(0, 32)}`;
  const outcome = await d.store.write((trx) =>
    recordChannelRating(trx, { assessId, channel: 'sms', caseNo, level, ratedAt: nowIso, catalogueVersion: d.catalogueVersion }, nowIso),
  );
  if (!outcome.stored) {
    if (outcome.why === 'duplicate') return 'duplicate';
    d.logger.info({ why: outcome.why }, 'sms reply ignored by the ledger');
    return 'ignored';
  }
  // After the commit: the uplink, the console and the window device follow.
  d.events.emit('assessments-changed', { by: 'channel' });
  d.events.emit('case-rated', { caseNo, channel: 'sms' });
  d.logger.info('sms reply stored as a rating');
  return 'stored';
}
