/**
 * Links that let a citizen rate one case from a phone: the token goes out once (in an SMS, or a
 * QR code printed for the case) and is stored only as a hash, so a copy of the store opens
 * nothing. The link names the channel the rating counts under; it stops working when it expires
 * or when the case is rated, whichever comes first (channel-ratings.ts refuses a second rating).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Tx } from '../store/database.js';
import type { CaseLinksTable } from './channels-schema.js';

export type LinkChannel = 'qr-case' | 'sms';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** 128 random bits, URL-safe: unguessable, short enough for an SMS. */
export async function issueCaseLink(trx: Tx, caseNo: string, channel: LinkChannel, expiresAt: string, now: string): Promise<string> {
  const token = randomBytes(16).toString('base64url');
  await trx
    .insertInto('case_links')
    .values({ token_hash: hashOf(token), case_no: caseNo, channel, created_at: now, expires_at: expiresAt })
    .execute();
  return token;
}

export type ResolvedLink = { ok: true; link: CaseLinksTable } | { ok: false; why: 'unknown' | 'expired' };

/** What a token opens, if anything, at `now`. */
export async function resolveCaseLink(trx: Tx, token: string, now: string): Promise<ResolvedLink> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return { ok: false, why: 'unknown' };
  const link = await trx.selectFrom('case_links').selectAll().where('token_hash', '=', hashOf(token)).executeTakeFirst();
  if (!link) return { ok: false, why: 'unknown' };
  if (link.expires_at <= now) return { ok: false, why: 'expired' };
  return { ok: true, link };
}

/** The page a link opens, under the hall's public address (hall.qrBaseUrl). */
export function caseLinkUrl(qrBaseUrl: string, token: string): string {
  return `${qrBaseUrl.replace(/\/$/, '')}/c/${token}`;
}
