/**
 * A provincial 好差评 system stand-in for tests, benchmarks and the demo (loopback only). It speaks
 * the reference wire form (gateway/uplink/provinces/reference/wire.ts):
 *
 *   POST /province/ratings      {"records": [NationalRating…]}         first ratings, 追加评价 (assessNumber ≥ 2)
 *   POST /province/corrections  {"corrections": [NationalCorrection…]} replace a case's rating; the old one kept as history
 *   POST /province/amendments   {"amendments": [NationalAmendment…]}   late reasons/comment of a rating it has
 *   POST /province/rectifications {"rectifications": [NationalRectification…]} a 差评's follow-up record
 *   → 200 {"code": 0, "results": [{"assessId", "status": "accepted"|"duplicate"|"rejected", "code"?, "reason"?}]}
 * Each request is HMAC-signed (signing.ts): a bad signature, an old timestamp or a replayed nonce
 * is 401. What it keeps and refuses is sim-ledger.ts (by endpoint: sim-endpoints.ts); the faults it
 * can show are sim-faults.ts.
 *
 * Admin (unsigned, for tests and people):
 *   POST /admin/faults                 set the fault (sim-faults.ts FaultSchema)
 *   GET  /admin/stats                  requests and outcomes, and what is stored (counts)
 *   GET  /admin/ratings?after&limit    every stored rating in arrival order, replaced ones too
 *   GET  /admin/cases/:projectNo       one case: its first rating, the ratings corrections replaced, its 追加评价, amendments
 *   GET  /admin/rectifications?from&to&cutoff  every follow-up record kept, and the 差评回复率 / 回访整改率 computed from them
 *   GET  /admin/requests               every request as it came (endpoint, body), when started with `keepRequests`
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { SIGN_HEADERS, verifySignature } from '../../gateway/uplink/provinces/reference/signing.js';
import { ENDPOINTS, idOf, recordsOf, takeRecord, type Endpoint } from './sim-endpoints.js';
import { FaultPlan, FaultSchema, type Fault } from './sim-faults.js';
import { SimLedger, type CaseView, type StoredRating } from './sim-ledger.js';
import type { RateScope, RectificationRates, StoredRectification } from './sim-rectifications.js';
import type { KeptRequest } from './sim-requests.js';

export { FaultSchema, type Fault } from './sim-faults.js';
export type { CaseView, StoredRating } from './sim-ledger.js';
export type { RateScope, RectificationRates, StoredRectification } from './sim-rectifications.js';
export type { KeptRequest } from './sim-requests.js';

export interface ProvinceSimOptions {
  key: string;
  dbFile: string;
  port?: number;
  /** The simulator's clock for downtime windows. */
  now?: () => number;
  maxSkewMs?: number;
  /** Keep every signed request's endpoint and body as it came (tests; `requests()`). */
  keepRequests?: boolean;
}

export class ProvinceSim {
  private server: Server | null = null;
  private readonly ledger: SimLedger;
  private readonly faults = new FaultPlan();
  private readonly nonces = new Map<string, number>();
  private readonly now: () => number;
  readonly stats = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, faulted: 0, badSignature: 0, answersLost: 0 };
  url = '';

  constructor(private readonly o: ProvinceSimOptions) {
    this.now = o.now ?? Date.now;
    this.ledger = new SimLedger(o.dbFile);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(this.o.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.ledger.close();
  }

  setFault(f: z.input<typeof FaultSchema>): Fault {
    return this.faults.set(f);
  }

  /** Every rating stored, replaced ones too, in arrival order. */
  stored(after = 0, limit = 1000): StoredRating[] {
    return this.ledger.stored(after, limit);
  }

  /** Ratings stored (each assessId once, replaced ones too). */
  count(): number {
    return this.ledger.counts().stored;
  }

  counts() {
    return this.ledger.counts();
  }

  caseView(projectNo: string): CaseView {
    return this.ledger.caseView(projectNo);
  }

  /** Every 差评 follow-up record kept, in arrival order. */
  rectifications(): StoredRectification[] {
    return this.ledger.followups.all();
  }

  /** The province's 差评回复率 and 回访整改率, from what it holds. */
  rectificationRates(scope: RateScope = {}): RectificationRates {
    return this.ledger.followups.rates(scope);
  }

  /** Every request to a province endpoint as it came (empty unless started with `keepRequests`). */
  requests(): KeptRequest[] {
    return this.ledger.requests.all();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const endpoint = ENDPOINTS[url.pathname];
    if (endpoint && req.method === 'POST') return this.submit(endpoint, req, res, body);
    if (url.pathname === '/admin/faults' && req.method === 'POST') {
      const f = FaultSchema.safeParse(safeJson(body));
      if (!f.success) return send(res, 400, { error: f.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return send(res, 200, { fault: this.setFault(f.data) });
    }
    if (url.pathname === '/admin/stats' && req.method === 'GET') return send(res, 200, { ...this.stats, ...this.ledger.counts() });
    if (url.pathname === '/admin/ratings' && req.method === 'GET') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Math.min(10_000, Number(url.searchParams.get('limit') ?? 1000));
      return send(res, 200, { total: this.count(), ratings: this.stored(after, limit) });
    }
    if (url.pathname === '/admin/rectifications' && req.method === 'GET') {
      const q = (k: string) => url.searchParams.get(k) ?? undefined;
      const scope: RateScope = { ...(q('from') ? { from: q('from') } : {}), ...(q('to') ? { to: q('to') } : {}), ...(q('cutoff') ? { cutoff: q('cutoff') } : {}) };
      return send(res, 200, { records: this.rectifications(), rates: this.rectificationRates(scope) });
    }
    if (url.pathname === '/admin/requests' && req.method === 'GET') return send(res, 200, { requests: this.requests() });
    const caseMatch = /^\/admin\/cases\/([^/]+)$/.exec(url.pathname);
    if (caseMatch && req.method === 'GET') return send(res, 200, this.caseView(decodeURIComponent(caseMatch[1]!)));
    send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  }

  private async submit(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    this.stats.requests++;
    if (this.o.keepRequests) this.ledger.requests.keep(endpoint, body, new Date().toISOString());
    const mode = this.faults.take(this.now());
    if (mode !== 'none') this.stats.faulted++;
    if (mode === 'down' || mode === '5xx') return send(res, 503, { error: 'service unavailable (simulated)' });
    if (mode === '429') {
      res.setHeader('retry-after', String(this.faults.current.retryAfterSec));
      return send(res, 429, { error: 'too many requests (simulated)' });
    }
    if (mode === 'timeout') return; // never answer; the client's timeout must fire
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"code":0,"results":[{"assessId":');
    }
    if (mode === 'slow') await new Promise((r) => setTimeout(r, this.faults.current.delayMs));

    const refusal = this.checkSignature(req, body);
    if (refusal) {
      this.stats.badSignature++;
      return send(res, 401, { error: refusal });
    }
    const records = recordsOf(endpoint, safeJson(body));
    if (!records) return send(res, 400, { error: `body must be {${endpoint === 'ratings' ? 'records' : endpoint}: [...]}` });
    const at = new Date().toISOString();
    const results = this.ledger.transaction(() => records.map((raw) => ({ assessId: idOf(raw), ...takeRecord(this.ledger, this.faults, endpoint, raw, at) })));
    for (const r of results) {
      if (r.status === 'accepted') this.stats.accepted++;
      else if (r.status === 'duplicate') this.stats.duplicates++;
      else this.stats.rejected++;
    }
    if (mode === 'timeout-after-commit') {
      this.stats.answersLost++;
      return; // stored, but the answer never comes: the client times out and sends again
    }
    send(res, 200, { code: 0, results });
  }

  /** null if the request is signed with the shared key, fresh, and not replayed. */
  private checkSignature(req: IncomingMessage, body: string): string | null {
    const h = (name: string) => String(req.headers[name] ?? '');
    const ts = h(SIGN_HEADERS.timestamp);
    const nonce = h(SIGN_HEADERS.nonce);
    if (!verifySignature(this.o.key, ts, nonce, body, h(SIGN_HEADERS.signature))) return 'bad signature';
    // The signer's clock is the gateway's real clock; tests fake only the uplink's scheduling.
    if (Math.abs(Date.now() - Number(ts)) > (this.o.maxSkewMs ?? 5 * 60_000)) return 'timestamp outside the allowed skew';
    if (this.nonces.has(nonce)) return 'nonce replayed';
    this.nonces.set(nonce, Date.now());
    if (this.nonces.size > 100_000) for (const [n, t] of this.nonces) if (Date.now() - t > 10 * 60_000) this.nonces.delete(n);
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 32 * 1024 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
