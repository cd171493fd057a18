/**
 * What the outbox needs from an SMS provider (STYLE.md §3): send one invitation, ask what became
 * of one whose answer was lost, and read the provider's pushes (delivery receipts, 上行 replies).
 * Adapters in providers/ speak each provider's real protocol; none of them retries: providers are
 * not idempotent, so only the outbox (outbox.ts) decides whether anything is sent again.
 */

/** One invitation as the adapter sends it. The phone is in the clear only here, for this call. */
export interface SmsMessage {
  /** Our id (the outbox's out_id): OutId at Aliyun, SessionContext at Tencent. */
  outId: string;
  /** Mainland mobile, 11 digits. */
  phone: string;
  hall: string;
  link: string;
  /** The whole text, for providers that take free text (云MAS). */
  text: string;
}

export type SendOutcome =
  | { kind: 'accepted'; providerId: string }
  /** Too many for now (per number or per account): try later. */
  | { kind: 'rate-limited'; code: string }
  /** The number cannot take an SMS: the invitation fails for good. */
  | { kind: 'bad-number'; code: string }
  /** Refused for a reason that will not change by itself (signature, template, balance …). */
  | { kind: 'rejected'; code: string }
  /** No answer we can trust (timeout, connection lost, 5xx): the provider may have taken it. */
  | { kind: 'unknown'; code: string };

export type QueryOutcome =
  | { kind: 'found'; providerId: string | null; status: 'pending' | 'delivered' | 'failed'; code: string }
  /** The provider says it has no such message: only then may it be sent again. */
  | { kind: 'not-found' }
  /** This provider cannot be asked (云MAS's HTTP interface has no query). */
  | { kind: 'unsupported' }
  | { kind: 'error'; code: string };

export interface QueryRef {
  outId: string;
  phone: string;
  providerId: string | null;
  /** When the attempt was made (gateway clock). */
  attemptAt: number;
}

/** A delivery receipt, as pushed by the provider. */
export interface SmsReceipt {
  providerId: string | null;
  outId: string | null;
  /** Only to match a receipt for an attempt whose answer was lost (云MAS); never stored. */
  phone: string | null;
  delivered: boolean;
  code: string;
}

/** An upstream SMS (上行短信) from a citizen. */
export interface SmsReply {
  phone: string;
  text: string;
  /** Stable for the same push (a retried push gives the same id): the rating's idempotency key. */
  replyId: string;
}

export interface SmsNotifier {
  readonly provider: 'aliyun' | 'tencent' | 'cmcc-mas';
  /** Whether query() can ask the provider about one send. */
  readonly canQuery: boolean;
  /**
   * Whether "not found" proves the provider never took the send (Aliyun lists a send as soon as
   * it is taken); Tencent lists only sends with a receipt, so there it proves nothing.
   */
  readonly notFoundProvesAbsence: boolean;
  send(message: SmsMessage, now: number): Promise<SendOutcome>;
  query(ref: QueryRef, now: number): Promise<QueryOutcome>;
  /** Parse a receipt push; throws on a body of the wrong shape. */
  receipts(body: unknown): SmsReceipt[];
  replies(body: unknown): SmsReply[];
  /** What the provider expects back from a push it delivered. */
  ack(): unknown;
}

/** A mainland mobile as 11 digits (drops +86 / 0086 / 86 and separators), or null. */
export function mainlandMobile(raw: string): string | null {
  const digits = raw.replace(/[\s-]/g, '').replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  return /^1\d{10}$/.test(digits) ? digits : null;
}

/** POST with a deadline; a lost answer comes back as `unknown`, never as a failure. */
export async function postWithDeadline(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; text: string } | { lost: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    const e = err as Error;
    return { lost: e.name === 'TimeoutError' ? 'timeout' : `network: ${e.message}` };
  }
}
