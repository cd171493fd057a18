/**
 * Abuse limits of the phone page that never need to know who rates (docs/PHONE.md "Abuse limits"):
 *  - a form token issued with each page: signed, single use, valid from 3 s to 30 min after issue
 *    (a script that posts at once, or replays a form, is refused);
 *  - a signed cookie per window: one rating per window per browser per `browserMinutes`;
 *  - a budget per source address per window per hour, kept only as an HMAC under a key that
 *    changes every China day and is deleted after it (yesterday's buckets cannot be tied to
 *    anything, and the address itself is never stored).
 * Keys, used tokens and budgets live in the database, so several workers share them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../feature.js';
import type { Db, GatewayStore, Tx } from '../store/database.js';

export interface PhoneLimits {
  /** One rating per window per browser per this many minutes (the cookie). */
  browserMinutes: number;
  /** Ratings per source address per window per hour. */
  addressPerHour: number;
  /** Static-code ratings of one window in 10 minutes from which each new one is flagged `qr-burst`. */
  burstPer10Min: number;
}

export const TOKEN_MIN_MS = 3_000;
export const TOKEN_MAX_MS = 30 * 60_000;

export type TokenCheck = { ok: true; nonce: string } | { ok: false; why: 'bad-token' | 'too-soon' | 'token-expired' };

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64url').slice(0, 32);
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
/** The China date (UTC+8) of an instant: the day key turns at the hall's midnight. */
const chinaDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

async function keyNamed(db: Db, name: string, now: string): Promise<Buffer> {
  await db
    .insertInto('phone_keys')
    .values({ name, secret: randomBytes(32).toString('base64'), created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('phone_keys').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.secret, 'base64');
}

export class PhoneGuard {
  private formKey: Buffer | null = null;

  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    readonly limits: PhoneLimits,
  ) {}

  private iso(ms = this.clock.now()): string {
    return new Date(ms).toISOString();
  }

  private async key(): Promise<Buffer> {
    this.formKey ??= await this.store.write((trx) => keyNamed(trx, 'form', this.iso()));
    return this.formKey;
  }

  /** A token for one page (`scope` names what it rates: a window, an invitation, a link). */
  async issueToken(scope: string): Promise<string> {
    const nonce = randomBytes(16).toString('base64url');
    const at = this.clock.now();
    return `${nonce}.${at}.${mac(await this.key(), `form|${scope}|${nonce}|${at}`)}`;
  }

  /** Signed for this scope and within its time; whether it was used already is `used()`, in the rating's transaction. */
  async checkToken(token: string, scope: string): Promise<TokenCheck> {
    const m = /^([A-Za-z0-9_-]{22})\.(\d{13})\.([A-Za-z0-9_-]{32})$/.exec(token);
    if (!m) return { ok: false, why: 'bad-token' };
    const [, nonce, at, sig] = m as unknown as [string, string, string, string];
    if (!same(sig, mac(await this.key(), `form|${scope}|${nonce}|${at}`))) return { ok: false, why: 'bad-token' };
    const age = this.clock.now() - Number(at);
    if (age < TOKEN_MIN_MS) return { ok: false, why: 'too-soon' };
    if (age > TOKEN_MAX_MS) return { ok: false, why: 'token-expired' };
    return { ok: true, nonce };
  }

  async used(trx: Tx, nonce: string): Promise<boolean> {
    return (await trx.selectFrom('phone_used_tokens').select('nonce').where('nonce', '=', nonce).executeTakeFirst()) !== undefined;
  }

  async markUsed(trx: Tx, nonce: string): Promise<void> {
    await trx.insertInto('phone_used_tokens').values({ nonce, used_at: this.iso() }).execute();
  }

  /** The cookie that says this browser rated `windowId` now. */
  async browserMark(windowId: string): Promise<{ name: string; value: string; maxAgeSec: number }> {
    const at = this.clock.now();
    return { name: cookieName(windowId), value: `${at}.${mac(await this.key(), `rated|${windowId}|${at}`)}`, maxAgeSec: this.limits.browserMinutes * 60 };
  }

  /** Whether this browser's cookie says it rated `windowId` within the last `browserMinutes`. */
  async ratedRecently(cookies: Record<string, string | undefined>, windowId: string): Promise<boolean> {
    const m = /^(\d{13})\.([A-Za-z0-9_-]{32})$/.exec(cookies[cookieName(windowId)] ?? '');
    if (!m) return false;
    const [, at, sig] = m as unknown as [string, string, string];
    if (!same(sig, mac(await this.key(), `rated|${windowId}|${at}`))) return false;
    const age = this.clock.now() - Number(at);
    return age >= 0 && age < this.limits.browserMinutes * 60_000;
  }

  /** The address's budget row for this window and hour: a keyed hash, never the address. */
  async addressBucket(trx: Tx, address: string, windowId: string): Promise<{ bucket: string; hour: string; ratings: number }> {
    const now = this.clock.now();
    const day = chinaDate(now);
    const dayKey = await keyNamed(trx, `addr-${day}`, this.iso(now));
    const hour = `${this.iso(now).slice(0, 13)}:00Z`;
    const bucket = createHmac('sha256', dayKey).update(`${address}|${windowId}|${hour}`).digest('base64url');
    const row = await trx.selectFrom('phone_address_budget').select('ratings').where('bucket', '=', bucket).executeTakeFirst();
    return { bucket, hour, ratings: row?.ratings ?? 0 };
  }

  async spend(trx: Tx, b: { bucket: string; hour: string }): Promise<void> {
    await trx
      .insertInto('phone_address_budget')
      .values({ bucket: b.bucket, hour: b.hour, ratings: 1 })
      .onConflict((oc) => oc.column('bucket').doUpdateSet((eb) => ({ ratings: eb('phone_address_budget.ratings', '+', 1) })))
      .execute();
  }

  /** Static-code ratings of the window in the last 10 minutes (a burst is flagged, R11; nobody is named). */
  async recentWindowRatings(trx: Tx, windowId: string): Promise<number> {
    const since = this.iso(this.clock.now() - 10 * 60_000);
    const rows = await trx
      .selectFrom('assessments')
      .select('assess_id')
      .where('window_id', '=', windowId)
      .where('channel', '=', 'qr-window')
      .where('pressed_at', '>', since)
      .limit(this.limits.burstPer10Min)
      .execute();
    return rows.length;
  }

  /** Forget what no check needs any more: used tokens past their life, past hours, past days' keys. */
  async prune(): Promise<void> {
    const now = this.clock.now();
    await this.store.write(async (trx) => {
      await trx
        .deleteFrom('phone_used_tokens')
        .where('used_at', '<', this.iso(now - TOKEN_MAX_MS - 60_000))
        .execute();
      await trx
        .deleteFrom('phone_address_budget')
        .where('hour', '<', `${this.iso(now - 3600_000).slice(0, 13)}:00Z`)
        .execute();
      await trx
        .deleteFrom('phone_keys')
        .where('name', 'like', 'addr-%')
        .where('name', '<', `addr-${chinaDate(now)}`)
        .execute();
    });
  }
}

const cookieName = (windowId: string) => `hcp_w_${windowId.replace(/[^a-z0-9-]/g, '')}`;
