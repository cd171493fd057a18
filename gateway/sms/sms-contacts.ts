/**
 * The applicant's number as the SMS invitation uses it (R10, docs/SMS.md "The number's life"):
 * sealed in cases.contact_enc by the case API (gateway/cases/contact-crypto.ts), opened here only
 * to send or to ask the provider about one send, each opening audited as a system action naming
 * the case and never the number; forgotten (contact_enc set to NULL) once no step needs it.
 * Replies are matched by a keyed hash of the number, not the number.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import { ContactCipher } from '../cases/contact-crypto.js';
import type { Db, GatewayStore } from '../store/database.js';

/** The applicant object as the case API sealed it (CaseBodySchema.applicant). */
const SealedApplicantSchema = z.object({ phone: z.string().optional(), smsConsent: z.boolean().optional() }).loose();

export interface OpenedContact {
  phone: string | null;
  consent: boolean;
}

export class SmsContacts {
  private readonly cipher: ContactCipher;
  private readonly hashKey: Buffer;

  constructor(
    private readonly store: GatewayStore,
    private readonly audit: AuditLog,
    key: Buffer,
  ) {
    this.cipher = new ContactCipher(key);
    // A key of its own, derived one way: the hash opens nothing even beside the sealed column.
    this.hashKey = createHmac('sha256', key).update('hcp-sms-phone-hash').digest();
  }

  /** Open the case's sealed contact for one purpose; null when there is none (or it is gone). */
  async open(caseNo: string, purpose: 'send' | 'query'): Promise<OpenedContact | null> {
    const row = await this.store.db.selectFrom('cases').select('contact_enc').where('case_no', '=', caseNo).executeTakeFirst();
    if (!row?.contact_enc) return null;
    await this.audit.record({ actor: 'system', action: 'sms.contact-opened', subject: caseNo, detail: { purpose } });
    const parsed = SealedApplicantSchema.safeParse(this.cipher.open(row.contact_enc, caseNo));
    if (!parsed.success) return { phone: null, consent: false };
    return { phone: parsed.data.phone ?? null, consent: parsed.data.smsConsent === true };
  }

  /** The keyed hash replies are matched by (input: 11-digit mainland mobile). */
  hash(mobile: string): string {
    return createHmac('sha256', this.hashKey).update(mobile).digest('hex');
  }

  /** Delete the sealed contact of a case (in the caller's transaction). */
  static async forget(db: Db, caseNo: string): Promise<void> {
    await db.updateTable('cases').set({ contact_enc: null }).where('case_no', '=', caseNo).execute();
  }
}
