/**
 * The two ways an invitation's fate becomes known (docs/SMS.md "Faults"): asking the provider
 * after a lost answer, and the provider's delivery receipts. Receipts are idempotent: the first
 * final word (delivered or failed) wins, duplicates and late ones change nothing, except that a
 * late receipt may still settle an invitation we stopped waiting for (unconfirmed).
 */
import type { Clock } from '../feature.js';
import { mainlandMobile, type SmsNotifier, type SmsReceipt } from './notifier.js';
import type { SmsOutbox } from './outbox.js';
import type { SmsContacts } from './sms-contacts.js';
import type { SmsOutboxTable } from './sms-schema.js';

const HOUR = 3600_000;
const iso = (t: number) => new Date(t).toISOString();

export class SmsResolver {
  constructor(
    private readonly outbox: SmsOutbox,
    private readonly notifier: SmsNotifier,
    private readonly contacts: SmsContacts,
    private readonly clock: Clock,
  ) {}

  /** Ask the provider what became of a send whose answer was lost; resend only on its word. */
  async resolveUnknown(row: SmsOutboxTable): Promise<void> {
    const c = this.outbox.d.config;
    const now = this.clock.now();
    const attemptAt = Date.parse(row.last_attempt_at ?? row.updated_at);
    // Claim: push due_at past the lease so no other worker asks at the same time.
    const claimed = await this.outbox.move(row.case_no, ['unknown'], { due_at: iso(now + c.leaseSec * 1000) });
    if (!claimed) return;
    const giveUp = () => this.outbox.move(row.case_no, ['unknown'], { state: 'unconfirmed', reason: 'outcome never known; not resent', final_at: iso(now) }, true);
    // Open the number only for a provider that can be asked.
    const contact = this.notifier.canQuery ? await this.contacts.open(row.case_no, 'query') : null;
    const mobile = contact?.phone ? mainlandMobile(contact.phone) : null;
    const q = mobile ? await this.notifier.query({ outId: row.out_id, phone: mobile, providerId: row.provider_id, attemptAt }, now) : ({ kind: 'unsupported' } as const);
    switch (q.kind) {
      case 'found': {
        const providerId = q.providerId ?? row.provider_id;
        if (q.status === 'pending')
          await this.outbox.move(
            row.case_no,
            ['unknown'],
            { state: 'accepted', provider_id: providerId, accepted_at: iso(attemptAt), due_at: iso(now + c.receiptWaitHours * HOUR), reason: null },
            true,
          );
        else await this.outbox.move(row.case_no, ['unknown'], { state: q.status, provider_id: providerId, reason: q.code, final_at: iso(now) }, true);
        return;
      }
      case 'not-found':
        if (!this.notifier.notFoundProvesAbsence) {
          // "Not listed yet" is not "never taken": wait for a receipt as for a provider that cannot be asked.
          if (now - attemptAt >= c.unknownGiveUpHours * HOUR) await giveUp();
          else await this.outbox.move(row.case_no, ['unknown'], { due_at: iso(Math.min(now + 6 * HOUR, attemptAt + c.unknownGiveUpHours * HOUR)) });
        } else if (now - attemptAt >= c.querySettleSec * 1000) {
          // The provider's own word that it never took it: the one case where we send again.
          await this.outbox.move(row.case_no, ['unknown'], { state: 'scheduled', reason: 'provider never took it', due_at: iso(now) });
        } else {
          await this.outbox.move(row.case_no, ['unknown'], { due_at: iso(attemptAt + c.querySettleSec * 1000) });
        }
        return;
      case 'unsupported':
        // Cannot ask (云MAS): wait for a receipt, never resend.
        if (now - attemptAt >= c.unknownGiveUpHours * HOUR) await giveUp();
        else await this.outbox.move(row.case_no, ['unknown'], { due_at: iso(Math.min(now + HOUR, attemptAt + c.unknownGiveUpHours * HOUR)) });
        return;
      case 'error':
        await this.outbox.move(row.case_no, ['unknown'], { due_at: iso(now + this.outbox.backoffMs(row.attempts)) });
        return;
    }
  }

  /** Apply receipts; answers how many changed something (duplicates and late ones do not). */
  async applyReceipts(receipts: SmsReceipt[]): Promise<number> {
    let changed = 0;
    const db = this.outbox.d.store.db;
    for (const r of receipts) {
      let row: SmsOutboxTable | undefined;
      if (r.outId) row = await db.selectFrom('sms_outbox').selectAll().where('out_id', '=', r.outId).executeTakeFirst();
      if (!row && r.providerId)
        row = await db.selectFrom('sms_outbox').selectAll().where('provider', '=', this.notifier.provider).where('provider_id', '=', r.providerId).executeTakeFirst();
      if (!row && r.phone) {
        // A receipt for a send whose answer was lost carries an id we never learnt: match the number's hash.
        const digits = mainlandMobile(r.phone) ?? '';
        const candidates = await db
          .selectFrom('sms_outbox')
          .selectAll()
          .where('state', 'in', ['sending', 'unknown', 'unconfirmed'])
          .where('phone_hash', '=', this.contacts.hash(digits))
          .execute();
        if (candidates.length === 1) row = candidates[0];
      }
      if (!row) continue;
      const now = this.clock.now();
      const moved = await this.outbox.move(
        row.case_no,
        ['sending', 'unknown', 'accepted', 'unconfirmed'],
        { state: r.delivered ? 'delivered' : 'failed', provider_id: row.provider_id ?? r.providerId, reason: r.code || null, final_at: iso(now), lease_until: null },
        true,
      );
      if (moved) changed++;
    }
    return changed;
  }
}
