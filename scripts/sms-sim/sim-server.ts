/**
 * An SMS provider simulator on 127.0.0.1 (docs/SMS.md "The simulator"): speaks Aliyun's,
 * Tencent Cloud's or 云MAS's protocol (sim-protocols.ts), checks their signatures, and plays
 * the faults real providers have — a send accepted whose answer never comes, a send lost before
 * it was taken, rate limits, bad numbers, duplicate and late delivery receipts. It counts what
 * reached each handset, which is what a drill checks ("exactly one invitation per case").
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chinaDate } from '../../gateway/sms/quiet-hours.js';
import { queryAnswer, readRequest, receiptPush, replyPush, sendAnswer, type SimCredentials, type SimMessage, type SimProtocol } from './sim-protocols.js';

export interface SmsSimFaults {
  /** Every n-th accepted send: taken (it reaches the handset), but answered only after hangMs. */
  timeoutAfterAcceptEvery?: number;
  /** Every n-th send: not taken, and answered only after hangMs (the provider never saw it). */
  timeoutBeforeAcceptEvery?: number;
  hangMs?: number;
  /** Every n-th send is refused as rate limited. */
  rateLimitEvery?: number;
  /** Numbers starting so are bad: refused at once (Aliyun, Tencent) or failed in the receipt (云MAS). */
  badNumberPrefixes?: string[];
  /** Push every receipt twice. */
  duplicateReceipts?: boolean;
  /** Hold back the receipts of sends whose answer was lost, until releaseLateReceipts(). */
  holdLostReceipts?: boolean;
  /** Real-time delay before a receipt is pushed. */
  receiptDelayMs?: number;
}

export interface SmsSimOptions {
  protocol: SimProtocol;
  credentials: SimCredentials;
  port?: number;
  now?: () => number;
  faults?: SmsSimFaults;
}

export class SmsSim {
  private server: Server | null = null;
  private readonly messages: SimMessage[] = [];
  private readonly held: SimMessage[] = [];
  /** Numbers whose send was lost before it was taken (the drill's expectations on providers that cannot say so). */
  readonly lostBeforeAccept: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;
  private seq = 0;
  faults: SmsSimFaults;
  receiptUrl = '';
  replyUrl = '';
  url = '';
  readonly stats = { sends: 0, accepted: 0, rateLimited: 0, badNumber: 0, lostAfterAccept: 0, lostBeforeAccept: 0, queries: 0, badSignature: 0, receiptsPushed: 0 };

  constructor(private readonly o: SmsSimOptions) {
    this.now = o.now ?? Date.now;
    this.faults = o.faults ?? {};
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req)
        .then(async ({ status, body, delayMs }) => {
          if (delayMs) await this.sleep(delayMs);
          if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        })
        .catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.o.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every message that reached this number's handset. */
  delivered(phone: string): SimMessage[] {
    return this.messages.filter((m) => m.phone === phone && m.handset);
  }

  all(): SimMessage[] {
    return [...this.messages];
  }

  /** A citizen answers by SMS: pushed to the reply callback in the provider's shape. */
  async reply(phone: string, text: string): Promise<number> {
    const res = await fetch(this.replyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(replyPush(this.o.protocol, phone, text, ++this.seq, this.now())),
    });
    return res.status;
  }

  /** Push the receipts held back (late receipts, after the gateway settled those sends another way). */
  async releaseLateReceipts(): Promise<void> {
    for (const m of this.held.splice(0)) await this.pushReceipt(m);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async pushReceipt(m: SimMessage): Promise<void> {
    if (!this.receiptUrl) return;
    m.receiptPushed = true;
    const times = this.faults.duplicateReceipts ? 2 : 1;
    for (let i = 0; i < times; i++) {
      this.stats.receiptsPushed++;
      await fetch(this.receiptUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(receiptPush(this.o.protocol, m)) }).catch(
        () => undefined,
      );
    }
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string; delayMs?: number }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const p = this.o.protocol;
    const r = readRequest(p, this.o.credentials, req.headers, Buffer.concat(chunks).toString('utf8'));
    if (r.action === 'bad-signature') {
      this.stats.badSignature++;
      return sendAnswer(p, 'bad-signature');
    }
    if (r.action === 'unknown') return sendAnswer(p, 'unknown-action');
    if (r.action === 'query') {
      this.stats.queries++;
      const list = this.messages.filter((m) => m.phone === r.phone && (r.sendDate === null || chinaDate(m.acceptedAt) === r.sendDate));
      return { status: 200, body: queryAnswer(p, list) };
    }
    const f = this.faults;
    const n = ++this.stats.sends;
    const hang = f.hangMs ?? 2000;
    if (f.rateLimitEvery && n % f.rateLimitEvery === 0) {
      this.stats.rateLimited++;
      return sendAnswer(p, 'rate-limited');
    }
    if (f.timeoutBeforeAcceptEvery && n % f.timeoutBeforeAcceptEvery === 0) {
      this.stats.lostBeforeAccept++;
      this.lostBeforeAccept.push(r.phone);
      return { ...sendAnswer(p, 'rate-limited'), status: 503, delayMs: hang };
    }
    const bad = (f.badNumberPrefixes ?? []).some((prefix) => r.phone.startsWith(prefix));
    if (bad && p !== 'cmcc-mas') {
      this.stats.badNumber++;
      return sendAnswer(p, 'bad-number');
    }
    const m: SimMessage = {
      providerId: `${p}-${n}-${Math.random().toString(16).slice(2, 8)}`,
      outId: r.outId,
      phone: r.phone,
      text: r.text,
      acceptedAt: this.now(),
      handset: !bad,
      receiptPushed: false,
    };
    this.messages.push(m);
    const accepted = ++this.stats.accepted;
    const lost = f.timeoutAfterAcceptEvery !== undefined && accepted % f.timeoutAfterAcceptEvery === 0;
    if (lost) this.stats.lostAfterAccept++;
    if (lost && f.holdLostReceipts) this.held.push(m);
    else void this.sleep(f.receiptDelayMs ?? 0).then(() => this.pushReceipt(m));
    return { ...sendAnswer(p, 'accepted', m), ...(lost ? { delayMs: hang } : {}) };
  }
}
