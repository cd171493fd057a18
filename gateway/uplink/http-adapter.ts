/**
 * The reference provincial adapter: JSON over HTTP(S), HMAC-signed (signing.ts). The province
 * answers 200 with one result per record; 429/5xx/timeouts/garbage are whole-request retryable.
 * A 401/403 means our key or clock is wrong: retrying (slowly) is right, dead-lettering every
 * rating because of a config mistake would not be.
 */
import { z } from 'zod';
import type { OutboundRecord, ProvinceAdapter, RecordOutcome, SendResult } from './adapter.js';
import { signedHeaders } from './signing.js';

export const HttpAdapterConfigSchema = z.object({
  url: z.url({ message: 'uplink url must be an http(s) URL' }),
  appId: z.string().min(1),
  key: z.string().min(16, 'uplink key must be at least 16 characters'),
  timeoutMs: z.number().int().min(100).default(10_000),
});
export type HttpAdapterConfig = z.input<typeof HttpAdapterConfigSchema>;

export const ProvinceAnswerSchema = z.object({
  code: z.literal(0),
  results: z.array(
    z.object({
      assessId: z.string(),
      status: z.enum(['accepted', 'duplicate', 'rejected', 'retry']),
      reason: z.string().optional(),
    }),
  ),
});

function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export class HttpProvinceAdapter implements ProvinceAdapter {
  private readonly cfg: z.infer<typeof HttpAdapterConfigSchema>;

  constructor(cfg: HttpAdapterConfig) {
    this.cfg = HttpAdapterConfigSchema.parse(cfg);
  }

  async send(batch: OutboundRecord[]): Promise<SendResult> {
    const body = `{"records":[${batch.map((r) => r.json).join(',')}]}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.cfg.url, {
        method: 'POST',
        headers: signedHeaders(this.cfg.appId, this.cfg.key, body),
        body,
        signal: AbortSignal.timeout(this.cfg.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      return { kind: 'retryable', reason: `transport: ${(err as Error).name}: ${(err as Error).message}` };
    }
    if (res.status !== 200) {
      const ra = retryAfterMs(res.headers.get('retry-after'), Date.now());
      return { kind: 'retryable', reason: `HTTP ${res.status}: ${text.slice(0, 200)}`, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
    }
    let parsed: z.infer<typeof ProvinceAnswerSchema>;
    try {
      parsed = ProvinceAnswerSchema.parse(JSON.parse(text));
    } catch {
      return { kind: 'retryable', reason: `malformed answer: ${text.slice(0, 200)}` };
    }
    const outcomes = new Map<string, RecordOutcome>();
    for (const r of parsed.results) {
      if (r.status === 'accepted' || r.status === 'duplicate') outcomes.set(r.assessId, { status: r.status });
      else if (r.status === 'rejected') outcomes.set(r.assessId, { status: 'rejected', reason: r.reason ?? 'rejected without reason' });
      else outcomes.set(r.assessId, { status: 'retryable', reason: r.reason ?? 'province asked to retry' });
    }
    // A record the province did not answer for is retried, never assumed delivered.
    for (const r of batch) if (!outcomes.has(r.assessId)) outcomes.set(r.assessId, { status: 'retryable', reason: 'no result for this record' });
    return { kind: 'answered', outcomes };
  }
}
