/**
 * The call-back number's life on the gateway (R10; docs/FOLLOWUP.md "The call-back number's life"). The number
 * stays in its signed detail record, sealed to the hall key of its epoch (gateway/contact-key.ts);
 * nothing here ever stores it opened. When a follow-up learns of it, the key that opens that one
 * seal is kept (escrowed) in `followup_contact_keys`, itself encrypted under the gateway's vault key:
 * the follow-up can reach its rater even after the epoch's hall key is destroyed. When the follow-up
 * is closed and the retention is over, that key is emptied (purge), and once the epoch's hall key is
 * gone too nothing anywhere can open the number — while the chain record stays exactly as signed,
 * so every hash and signature still verifies.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SealedContactSchema, type SealedContact } from '@hcp/contract';
import type { ContactKeyRing } from '../contact-key.js';
import { openWithKey } from '../contact-opening.js';
import type { Db, Tx } from '../store/database.js';
import { FollowupError } from './followup-error.js';

/** none: the rater left no number · sealed: openable by the handler · unopenable: sealed to a key already destroyed · purged: made unreadable. */
export type ContactState = 'none' | 'sealed' | 'unopenable' | 'purged';

/** What every answer but the audited opening shows of a number: nothing of its digits (docs/FOLLOWUP.md says why). */
export const CONTACT_MASK = '***********';

const VAULT_FILE = 'followup-contact-vault.key';

function vaultKey(dataDir: string): Buffer {
  const file = join(dataDir, VAULT_FILE);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file);
}

function sealedOf(body: string): SealedContact | null {
  const r = SealedContactSchema.safeParse((JSON.parse(body) as { contact?: unknown }).contact);
  return r.success ? r.data : null;
}

export class ContactEscrow {
  private readonly vault: Buffer;

  constructor(
    private readonly ring: ContactKeyRing,
    dataDir: string,
  ) {
    this.vault = vaultKey(dataDir);
  }

  /** Keep the opening key of the number in detail record `recordId` (idempotent). Answers the contact's state. */
  async escrow(trx: Tx, followupId: string, recordId: string, now: string): Promise<ContactState> {
    const had = await trx.selectFrom('followup_contact_keys').select(['opening_key', 'purged_at']).where('record_id', '=', recordId).executeTakeFirst();
    if (had) return stateOf(had);
    const rec = await trx.selectFrom('records').select('body').where('id', '=', recordId).executeTakeFirst();
    const sealed = rec ? sealedOf(rec.body) : null;
    const key = sealed ? this.ring.openingKey(sealed) : null;
    await trx
      .insertInto('followup_contact_keys')
      .values({
        record_id: recordId,
        followup_id: followupId,
        key_id: sealed?.keyId ?? 'unknown',
        opening_key: key ? this.wrap(key, recordId) : null,
        escrowed_at: now,
        purged_at: null,
      })
      .onConflict((oc) => oc.column('record_id').doNothing())
      .execute();
    return key ? 'sealed' : 'unopenable';
  }

  /** The number, for the handler's audited route only (followup-contact.ts). */
  async open(db: Db, followupId: string): Promise<string> {
    const row = await db
      .selectFrom('followup_contact_keys as k')
      .innerJoin('records as r', 'r.id', 'k.record_id')
      .select(['k.record_id', 'k.opening_key', 'k.purged_at', 'r.body'])
      .where('k.followup_id', '=', followupId)
      .executeTakeFirst();
    if (!row) throw new FollowupError('not-found', 'the rater left no call-back number for this 差评');
    if (row.purged_at) throw new FollowupError('gone', `the call-back number was made unreadable on ${row.purged_at} (closed, retention over)`);
    const sealed = sealedOf(row.body);
    if (!row.opening_key || !sealed)
      throw new FollowupError('gone', 'the call-back number was sealed to a hall key that was already destroyed when it arrived: nobody can open it');
    return openWithKey(sealed, this.unwrap(row.opening_key, row.record_id));
  }

  /** Empty the follow-up's opening key: from now on only the (soon destroyed) hall key of its epoch could open it. */
  async purge(trx: Tx, followupId: string, now: string): Promise<boolean> {
    const r = await trx
      .updateTable('followup_contact_keys')
      .set({ opening_key: null, purged_at: now })
      .where('followup_id', '=', followupId)
      .where('purged_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async stateOf(db: Db, followupId: string): Promise<ContactState> {
    const row = await db.selectFrom('followup_contact_keys').select(['opening_key', 'purged_at']).where('followup_id', '=', followupId).executeTakeFirst();
    return row ? stateOf(row) : 'none';
  }

  private wrap(key: Buffer, recordId: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.vault, iv);
    // Bound to its row: a wrapped key copied onto another row does not open.
    c.setAAD(Buffer.from(recordId));
    const ct = Buffer.concat([c.update(key), c.final()]);
    return [iv, ct, c.getAuthTag()].map((b) => b.toString('base64')).join('.');
  }

  private unwrap(wrapped: string, recordId: string): Buffer {
    const [iv, ct, tag] = wrapped.split('.').map((p) => Buffer.from(p, 'base64'));
    const d = createDecipheriv('aes-256-gcm', this.vault, iv!);
    d.setAAD(Buffer.from(recordId));
    d.setAuthTag(tag!);
    return Buffer.concat([d.update(ct!), d.final()]);
  }
}

export function stateOf(row: { opening_key: string | null; purged_at: string | null }): ContactState {
  if (row.purged_at) return 'purged';
  return row.opening_key ? 'sealed' : 'unopenable';
}
