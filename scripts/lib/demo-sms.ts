/**
 * The demo hall's SMS provider: the simulator (scripts/sms-sim/) speaking Aliyun's protocol on
 * 127.0.0.1, the gateway's `sms` section pointed at it, and a small inbox page showing what
 * reached the handsets — the simulator itself answers only the provider's API, and a person trying
 * the demo wants to see the text and open its link. Numbers are shown masked (138****8000): the
 * demo's terminal and pages are shown to others, and a number is never put in a log.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmsSim } from '../sms-sim/sim-server.js';

const CREDENTIALS = { aliyun: { accessKeyId: 'demo-sms-key-id', accessKeySecret: 'demo-sms-key-secret' } };

export interface DemoText {
  to: string;
  link: string;
  text: string;
}

export const maskPhone = (phone: string): string => (phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****');

export class DemoSms {
  readonly sim = new SmsSim({ protocol: 'aliyun', credentials: CREDENTIALS });
  private readonly callbackToken = randomBytes(18).toString('base64url');
  private inbox: Server | null = null;
  private watcher: NodeJS.Timeout | null = null;
  inboxUrl = '';

  /**
   * `delaySec`: how long after a case is announced its invitation falls due (a day in a hall; seconds
   * in the demo, so a visitor sees it). Quiet hours are off: the demo runs at any hour.
   */
  gatewaySection(delaySec: number): Record<string, unknown> {
    return {
      provider: { kind: 'aliyun', endpoint: this.sim.url, ...CREDENTIALS.aliyun, signName: '廊坊政务', templateCode: 'SMS_DEMO_0001' },
      callbackToken: this.callbackToken,
      delayHours: delaySec / 3600,
      quietHours: null,
      tickMs: 1000,
    };
  }

  async start(): Promise<void> {
    await this.sim.start();
    this.inbox = createServer((req, res) => {
      const texts = this.texts();
      if (req.url === '/texts.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ texts }));
      const rows = texts.map((t) => `<li><b>${t.to}</b> ${escapeHtml(t.text)}<br><a href="${escapeHtml(t.link)}">${escapeHtml(t.link)}</a></li>`).join('');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>SMS 模拟收件箱</title><h1>SMS reached the handsets (simulated provider)</h1><ol>${rows || '<li>none yet</li>'}</ol>`,
        );
    });
    await new Promise<void>((r) => this.inbox!.listen(0, '127.0.0.1', r));
    this.inboxUrl = `http://127.0.0.1:${(this.inbox.address() as AddressInfo).port}/`;
  }

  /** Once the gateway listens: where the simulator pushes delivery receipts and replies. */
  connect(gatewayHttp: string): void {
    this.sim.receiptUrl = `${gatewayHttp}/api/sms/callbacks/${this.callbackToken}/receipts`;
    this.sim.replyUrl = `${gatewayHttp}/api/sms/callbacks/${this.callbackToken}/replies`;
  }

  /** Every text that reached a handset, number masked, with the link it carries. */
  texts(): DemoText[] {
    return this.sim
      .all()
      .filter((m) => m.handset)
      .map((m) => {
        let link = '';
        try {
          link = String((JSON.parse(m.text) as { link?: unknown }).link ?? '');
        } catch {
          /* not a template's parameters */
        }
        return { to: maskPhone(m.phone), link, text: m.text };
      });
  }

  /** Call `say` for each new text (polled: the simulator keeps a list, it has no events). */
  watch(say: (t: DemoText) => void): void {
    let seen = 0;
    this.watcher = setInterval(() => {
      const all = this.texts();
      for (const t of all.slice(seen)) say(t);
      seen = all.length;
    }, 1000);
    this.watcher.unref();
  }

  async stop(): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    this.inbox?.closeAllConnections();
    await new Promise<void>((r) => (this.inbox ? this.inbox.close(() => r()) : r()));
    await this.sim.stop();
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
