/**
 * A provincial 好差评 system stand-in for tests and benchmarks (loopback only). It verifies the
 * HMAC signature, stores each rating once (a repeat is answered `duplicate`), and lets a test
 * inject the faults a real provincial endpoint shows: 5xx, 429 + Retry-After, hangs, slowness,
 * garbage answers, permanent rejection of given case numbers, and downtime.
 */
import Database from 'better-sqlite3';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { NationalRatingSchema } from '../../gateway/uplink/national-mapping.js';
import { SIGN_HEADERS, verifySignature } from '../../gateway/uplink/signing.js';

export const FaultSchema = z.object({
  mode: z.enum(['none', '5xx', '429', 'timeout', 'slow', 'malformed', 'down']).default('none'),
  /** Apply the mode to the next `count` requests only; absent = until changed. */
  count: z.number().int().min(1).optional(),
  retryAfterSec: z.number().int().min(0).default(1),
  delayMs: z.number().int().min(0).default(2000),
  /** Records with these projectNo are rejected for good. */
  rejectCaseNos: z.array(z.string()).optional(),
  /** Downtime windows in epoch ms (sim clock): requests inside get 503. */
  downtime: z.array(z.object({ from: z.number(), to: z.number() })).optional(),
});
export type Fault = z.infer<typeof FaultSchema>;

export interface ProvinceSimOptions {
  key: string;
  dbFile: string;
  port?: number;
  now?: () => number;
  maxSkewMs?: number;
}

const BodySchema = z.object({ records: z.array(z.unknown()).max(5000) });

export class ProvinceSim {
  private server: Server | null = null;
  private readonly db: Database.Database;
  private fault: Fault = FaultSchema.parse({});
  private faultLeft: number | null = null;
  private rejectCaseNos = new Set<string>();
  private downtime: Array<{ from: number; to: number }> = [];
  private readonly nonces = new Map<string, number>();
  private readonly now: () => number;
  readonly stats = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, faulted: 0, badSignature: 0 };
  private readonly insert;
  url = '';

  constructor(private readonly o: ProvinceSimOptions) {
    this.now = o.now ?? Date.now;
    this.db = new Database(o.dbFile);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS ratings (n INTEGER PRIMARY KEY AUTOINCREMENT, assess_id TEXT NOT NULL UNIQUE, project_no TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL)');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO ratings (assess_id, project_no, body, received_at) VALUES (?, ?, ?, ?)');
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
    this.db.close();
  }

  setFault(f: z.input<typeof FaultSchema>): void {
    this.fault = FaultSchema.parse(f);
    this.faultLeft = this.fault.count ?? null;
    if (this.fault.rejectCaseNos) this.rejectCaseNos = new Set(this.fault.rejectCaseNos);
    if (this.fault.downtime) this.downtime = this.fault.downtime;
  }

  stored(after = 0, limit = 1000): Array<{ n: number; assessId: string; record: z.infer<typeof NationalRatingSchema> }> {
    return (this.db.prepare('SELECT n, assess_id, body FROM ratings WHERE n > ? ORDER BY n LIMIT ?').all(after, limit) as Array<{ n: number; assess_id: string; body: string }>).map((r) => ({ n: r.n, assessId: r.assess_id, record: JSON.parse(r.body) }));
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM ratings').pluck().get() as number;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    if (url.pathname === '/province/ratings' && req.method === 'POST') return this.ratings(req, res, body);
    if (url.pathname === '/admin/faults' && req.method === 'POST') {
      const f = FaultSchema.safeParse(safeJson(body));
      if (!f.success) return send(res, 400, { error: f.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      this.setFault(f.data);
      return send(res, 200, { fault: this.fault });
    }
    if (url.pathname === '/admin/ratings' && req.method === 'GET') {
      return send(res, 200, { total: this.count(), ratings: this.stored(Number(url.searchParams.get('after') ?? 0), Math.min(10_000, Number(url.searchParams.get('limit') ?? 1000))) });
    }
    if (url.pathname === '/admin/stats' && req.method === 'GET') return send(res, 200, { ...this.stats, stored: this.count() });
    send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  }

  private takeFault(): Fault['mode'] {
    const now = this.now();
    if (this.downtime.some((w) => now >= w.from && now < w.to)) return 'down';
    if (this.fault.mode === 'none') return 'none';
    if (this.faultLeft !== null) {
      if (this.faultLeft <= 0) return 'none';
      this.faultLeft--;
    }
    return this.fault.mode;
  }

  private async ratings(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    this.stats.requests++;
    const mode = this.takeFault();
    if (mode !== 'none') this.stats.faulted++;
    if (mode === 'down' || mode === '5xx') return send(res, 503, { error: 'service unavailable (simulated)' });
    if (mode === '429') {
      res.setHeader('retry-after', String(this.fault.retryAfterSec));
      return send(res, 429, { error: 'too many requests (simulated)' });
    }
    if (mode === 'timeout') return; // never answer; the client's timeout must fire
    if (mode === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"code":0,"results":[{"assessId":');
    }
    if (mode === 'slow') await new Promise((r) => setTimeout(r, this.fault.delayMs));

    const h = (name: string) => String(req.headers[name] ?? '');
    const ts = h(SIGN_HEADERS.timestamp);
    const nonce = h(SIGN_HEADERS.nonce);
    if (!verifySignature(this.o.key, ts, nonce, body, h(SIGN_HEADERS.signature))) {
      this.stats.badSignature++;
      return send(res, 401, { error: 'bad signature' });
    }
    // The signer's clock is the gateway's real clock; tests fake only the uplink's scheduling.
    if (Math.abs(Date.now() - Number(ts)) > (this.o.maxSkewMs ?? 5 * 60_000)) return send(res, 401, { error: 'timestamp outside the allowed skew' });
    if (this.nonces.has(nonce)) return send(res, 401, { error: 'nonce replayed' });
    this.nonces.set(nonce, Date.now());
    if (this.nonces.size > 100_000) for (const [n, t] of this.nonces) if (Date.now() - t > 10 * 60_000) this.nonces.delete(n);

    const parsed = BodySchema.safeParse(safeJson(body));
    if (!parsed.success) return send(res, 400, { error: 'body must be {records: [...]}' });
    const receivedAt = new Date().toISOString();
    const results = this.db.transaction(() =>
      parsed.data.records.map((raw) => {
        const rec = NationalRatingSchema.safeParse(raw);
        const id = typeof (raw as { assessId?: unknown })?.assessId === 'string' ? (raw as { assessId: string }).assessId : '';
        if (!rec.success) {
          this.stats.rejected++;
          return { assessId: id, status: 'rejected', reason: `invalid record: ${rec.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
        }
        if (this.rejectCaseNos.has(rec.data.projectNo)) {
          this.stats.rejected++;
          return { assessId: id, status: 'rejected', reason: `projectNo ${rec.data.projectNo} is not a registered case (simulated)` };
        }
        const fresh = this.insert.run(id, rec.data.projectNo, JSON.stringify(rec.data), receivedAt).changes === 1;
        if (fresh) this.stats.accepted++;
        else this.stats.duplicates++;
        return { assessId: id, status: fresh ? 'accepted' : 'duplicate' };
      }),
    )();
    send(res, 200, { code: 0, results });
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
