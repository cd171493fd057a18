/**
 * The SMS invitation outbox (R8, docs/SMS.md): one row per case, in the database, so several
 * gateway workers share it — a row is claimed by a guarded UPDATE, never held in memory.
 *
 *   scheduled ──claim (attempt written)──▶ sending ──▶ accepted ──receipt──▶ delivered
 *       ▲   │                                 │  │  └──▶ failed (bad number, refused for good)
 *       │   └─▶ cancelled / skipped           │  └──▶ unknown (answer lost) ──ask──▶ accepted | delivered | failed
 *       └──── rate limited, or the provider says it never took it ◀──────────────┘   (or unconfirmed)
 *
 * Providers are not idempotent, so nothing is sent twice blindly: after a lost answer the
 * provider is asked (by our out_id) and the row goes back to `scheduled` only when it says it
 * never took the message. All times come from the gateway clock (drills move it).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { caseLinkUrl, issueCaseLink } from '../channels/case-links.js';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { mainlandMobile, type SmsNotifier } from './notifier.js';
import { isQuiet, nextSendableAt } from './quiet-hours.js';
import type { SmsConfig } from './sms-config.js';
import { SmsContacts } from './sms-contacts.js';
import type { SmsOutboxTable } from './sms-schema.js';

const HOUR = 3600_000;
/** A refusal that is not the number's fault (template, signature, balance) is retried this often before failing. */
const MAX_REJECTED_ATTEMPTS = 5;

export interface OutboxDeps {
  store: GatewayStore;
  clock: Clock;
  notifier: SmsNotifier;
  contacts: SmsContacts;
  config: SmsConfig;
  hallName: string;
  qrBaseUrl: string;
  logger: Logger;
}

const iso = (t: number) => new Date(t).toISOString();

export class SmsOutbox {
  constructor(readonly d: OutboxDeps) {}

  private get db() {
    return this.d.store.db;
  }

  /** Backoff after the n-th attempt. */
  backoffMs(attempts: number): number {
    const c = this.d.config;
    return Math.min(c.retryMaxSec, c.retryBaseSec * 2 ** Math.max(0, attempts - 1)) * 1000;
  }

  /** One row per case with a sealed contact; the UNIQUE case_no makes a second insert a no-op. */
  async discover(): Promise<number> {
    const now = this.d.clock.now();
    const fresh = await this.db
      .selectFrom('cases')
      .leftJoin('sms_outbox', 'sms_outbox.case_no', 'cases.case_no')
      .select(['cases.case_no', 'cases.created_at', 'cases.state'])
      .where('cases.contact_enc', 'is not', null)
      .where('sms_outbox.case_no', 'is', null)
      .limit(500)
      .execute();
    for (const c of fresh) {
      const open = c.state === 'open';
      const due = nextSendableAt(Date.parse(c.created_at) + this.d.config.delayHours * HOUR, this.d.config.quietHours);
      await this.db
        .insertInto('sms_outbox')
        .values({
          case_no: c.case_no,
          state: open ? 'scheduled' : 'cancelled',
          due_at: iso(due),
          out_id: randomUUID().replaceAll('-', ''),
          provider: this.d.notifier.provider,
          attempts: 0,
          reason: open ? null : `case ${c.state} before any SMS`,
          created_at: iso(now),
          updated_at: iso(now),
          final_at: open ? null : iso(now),
        })
        .onConflict((oc) => oc.column('case_no').doNothing())
        .execute();
    }
    return fresh.length;
  }

  /** Cancel what a closed case no longer needs; forget numbers and reply hashes no step needs. */
  async sweep(): Promise<void> {
    const nowIso = iso(this.d.clock.now());
    await this.d.store.write(async (trx) => {
      await trx
        .updateTable('sms_outbox')
        .set({ state: 'cancelled', reason: 'case closed before the SMS', final_at: nowIso, updated_at: nowIso })
        .where('state', '=', 'scheduled')
        .where('case_no', 'in', trx.selectFrom('cases').select('case_no').where('state', '!=', 'open'))
        .execute();
      // The number is needed only to send and to ask about a send whose answer was lost.
      await trx
        .updateTable('cases')
        .set({ contact_enc: null })
        .where('contact_enc', 'is not', null)
        .where('case_no', 'in', trx.selectFrom('sms_outbox').select('case_no').where('state', 'not in', ['scheduled', 'sending', 'unknown']))
        .execute();
      await trx
        .updateTable('sms_outbox')
        .set({ phone_hash: null, updated_at: nowIso })
        .where('phone_hash', 'is not', null)
        .where('state', 'not in', ['scheduled', 'sending', 'unknown'])
        .where((eb) =>
          eb.or([
            eb('reply_until', 'is', null),
            eb('reply_until', '<=', nowIso),
            eb('case_no', 'in', trx.selectFrom('cases').select('case_no').where('state', 'in', ['rated', 'withdrawn'])),
          ]),
        )
        .execute();
      // A worker that died mid-send: its outcome is unknown, so the provider will be asked.
      await trx
        .updateTable('sms_outbox')
        .set({ state: 'unknown', reason: 'worker lost during send', lease_until: null, updated_at: nowIso })
        .where('state', '=', 'sending')
        .where('lease_until', '<=', nowIso)
        .execute();
      await trx
        .updateTable('sms_outbox')
        .set({ state: 'unconfirmed', reason: 'no delivery receipt', final_at: nowIso, updated_at: nowIso })
        .where('state', '=', 'accepted')
        .where('due_at', '<=', nowIso)
        .execute();
    });
  }

  /** Rows whose next step is due. */
  due(limit = this.d.config.batchSize): Promise<SmsOutboxTable[]> {
    return this.db
      .selectFrom('sms_outbox')
      .selectAll()
      .where('state', 'in', ['scheduled', 'unknown'])
      .where('due_at', '<=', iso(this.d.clock.now()))
      .orderBy('due_at')
      .limit(limit)
      .execute();
  }

  /** Move a row on from `from`, guarded so a concurrent step (a receipt, another worker) wins. */
  async move(caseNo: string, from: SmsOutboxTable['state'][], set: Partial<SmsOutboxTable>, forget = false): Promise<boolean> {
    const nowIso = iso(this.d.clock.now());
    return this.d.store.write(async (trx) => {
      const r = await trx
        .updateTable('sms_outbox')
        .set({ ...set, updated_at: nowIso })
        .where('case_no', '=', caseNo)
        .where('state', 'in', from)
        .executeTakeFirst();
      const moved = Number(r.numUpdatedRows) === 1;
      if (moved && forget) await SmsContacts.forget(trx, caseNo);
      return moved;
    });
  }

  /** Send one scheduled invitation, if it is still this worker's to send. */
  async sendOne(row: SmsOutboxTable): Promise<void> {
    const c = this.d.config;
    const now = this.d.clock.now();
    if (isQuiet(now, c.quietHours)) {
      await this.move(row.case_no, ['scheduled'], { due_at: iso(nextSendableAt(now, c.quietHours)) });
      return;
    }
    const claimed = await this.d.store.write(async (trx) => {
      const kase = await trx.selectFrom('cases').select('state').where('case_no', '=', row.case_no).executeTakeFirst();
      if (kase?.state !== 'open') return false;
      // The attempt is written before the provider is called.
      const r = await trx
        .updateTable('sms_outbox')
        .set({ state: 'sending', attempts: row.attempts + 1, last_attempt_at: iso(now), lease_until: iso(now + c.leaseSec * 1000), updated_at: iso(now) })
        .where('case_no', '=', row.case_no)
        .where('state', '=', 'scheduled')
        .where('attempts', '=', row.attempts)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    });
    if (!claimed) return;
    const attempts = row.attempts + 1;
    const final = (state: 'failed' | 'skipped', reason: string) =>
      this.move(row.case_no, ['sending'], { state, reason, final_at: iso(this.d.clock.now()), lease_until: null, phone_hash: null }, true);

    const contact = await this.d.contacts.open(row.case_no, 'send');
    if (!contact?.consent) return void (await final('skipped', 'no consent to SMS'));
    const mobile = contact.phone ? mainlandMobile(contact.phone) : null;
    if (!mobile) return void (await final(contact.phone ? 'failed' : 'skipped', contact.phone ? 'not a mainland mobile number' : 'no number'));

    const replyUntil = iso(now + c.linkValidHours * HOUR);
    const token = await this.d.store.write(async (trx) => {
      await trx
        .updateTable('sms_outbox')
        .set({ phone_hash: this.d.contacts.hash(mobile), reply_until: replyUntil })
        .where('case_no', '=', row.case_no)
        .execute();
      return issueCaseLink(trx, row.case_no, 'sms', replyUntil, iso(now));
    });
    const link = caseLinkUrl(this.d.qrBaseUrl, token);
    const text = c.text.replaceAll('{hall}', this.d.hallName).replaceAll('{link}', link);
    const outcome = await this.d.notifier.send({ outId: row.out_id, phone: mobile, hall: this.d.hallName, link, text }, now);
    const after = this.d.clock.now();
    const log = this.d.logger;
    switch (outcome.kind) {
      case 'accepted':
        await this.move(
          row.case_no,
          ['sending'],
          { state: 'accepted', provider_id: outcome.providerId, accepted_at: iso(after), due_at: iso(after + c.receiptWaitHours * HOUR), lease_until: null, reason: null },
          true,
        );
        log.info({ caseNo: row.case_no, attempts }, 'sms invitation accepted by the provider');
        return;
      case 'rate-limited':
        await this.move(row.case_no, ['sending'], {
          state: 'scheduled',
          reason: outcome.code,
          lease_until: null,
          due_at: iso(nextSendableAt(after + this.backoffMs(attempts), c.quietHours)),
        });
        log.warn({ caseNo: row.case_no, code: outcome.code }, 'sms rate limited; will retry');
        return;
      case 'bad-number':
        await final('failed', outcome.code);
        log.warn({ caseNo: row.case_no, code: outcome.code }, 'sms refused: the number cannot take an SMS; the invitation failed and the number is deleted');
        return;
      case 'rejected':
        if (attempts >= MAX_REJECTED_ATTEMPTS) await final('failed', outcome.code);
        else
          await this.move(row.case_no, ['sending'], {
            state: 'scheduled',
            reason: outcome.code,
            lease_until: null,
            due_at: iso(nextSendableAt(after + this.backoffMs(attempts), c.quietHours)),
          });
        log.error({ caseNo: row.case_no, code: outcome.code }, 'sms refused by the provider (check the sms config)');
        return;
      case 'unknown':
        await this.move(row.case_no, ['sending'], { state: 'unknown', reason: outcome.code, lease_until: null, due_at: iso(now + c.querySettleSec * 1000) });
        log.warn({ caseNo: row.case_no, code: outcome.code }, 'sms answer lost; the provider will be asked before anything is sent again');
        return;
    }
  }
}
