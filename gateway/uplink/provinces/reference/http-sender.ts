/**
 * The reference province's transport: one signed JSON POST (signing.ts) per batch, its answer
 * checked with zod (wire.ts). 429/5xx/timeouts/garbage are whole-request retryable, with
 * Retry-After passed on. A 401/403 means our key or clock is wrong: retrying (slowly) is right;
 * dead-lettering every rating over a config mistake would not be.
 */
import type { BatchAnswer, ItemOutcome } from '../../adapter.js';
import { signedHeaders } from './signing.js';
import { ProvinceAnswerSchema, type ProvinceAnswer } from './wire.js';

export interface HttpSenderOptions {
  appId: string;
  key: string;
  timeoutMs: number;
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function outcomeOf(r: ProvinceAnswer['results'][number]): ItemOutcome {
  if (r.status === 'accepted' || r.status === 'duplicate') return { status: r.status };
  const reason = `${r.code ? `${r.code}: ` : ''}${r.reason ?? (r.status === 'rejected' ? 'rejected without reason' : 'province asked to retry')}`;
  return r.status === 'rejected' ? { status: 'rejected', reason } : { status: 'retryable', reason };
}

/** POST `body` (already JSON) to `url`; the answer's results are keyed by assessId. */
export async function postSigned(url: string, body: string, o: HttpSenderOptions): Promise<BatchAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers: signedHeaders(o.appId, o.key, body), body, signal: AbortSignal.timeout(o.timeoutMs) });
    text = await res.text();
  } catch (err) {
    return { kind: 'retryable', reason: `transport: ${(err as Error).name}: ${(err as Error).message}` };
  }
  if (res.status !== 200) {
    // Wall-clock time here: Retry-After dates are the province's wall clock too.
    const ra = retryAfterMs(res.headers.get('retry-after'), Date.now());
    return { kind: 'retryable', reason: `HTTP ${res.status}: ${text.slice(0, 200)}`, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
  }
  let parsed: ProvinceAnswer;
  try {
    parsed = ProvinceAnswerSchema.parse(JSON.parse(text));
  } catch {
    return { kind: 'retryable', reason: `malformed answer: ${text.slice(0, 200)}` };
  }
  return { kind: 'answered', outcomes: new Map(parsed.results.map((r) => [r.assessId, outcomeOf(r)])) };
}
