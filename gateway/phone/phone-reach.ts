/**
 * Can a phone reach the rating page? The gateway asks its own public address (hall.qrBaseUrl) for
 * `/phone/ping?n=<nonce>` and expects the nonce back — through the same DNS, proxy, port forward
 * and certificate a phone would use. While that fails, an alert says phones cannot reach the page
 * and why, and devices are sent a config without qrBaseUrl, so the kiosks hide the codes rather
 * than show dead ones; when it works again the codes come back (docs/PHONE.md "Reachability").
 */
import { randomBytes } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { Logger } from 'pino';
import type { AlertBoard } from '../alerts/alert-board.js';

export const PHONE_ALERT = 'phone-page-unreachable';
const SUBJECT = 'hall';

export interface PhoneReachOptions {
  qrBaseUrl: string;
  alerts: AlertBoard;
  logger: Logger;
  everyMs: number;
  timeoutMs: number;
  /** Devices must be sent their config again (the codes appear or disappear). */
  changed(): Promise<void>;
}

export type ProbeResult = { ok: true } | { ok: false; why: string };

export class PhoneReach {
  /** Until the first probe answers, phones are assumed to reach the page (as the configured address says). */
  private reachable = true;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ProbeResult> | null = null;

  constructor(private readonly o: PhoneReachOptions) {}

  /** Whether devices may show the QR codes now. */
  get phonesReach(): boolean {
    return this.reachable;
  }

  start(): void {
    if (this.timer) return;
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.o.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Ask once (a probe already under way is joined), then raise or clear the alert and tell devices if the answer changed. */
  probe(): Promise<ProbeResult> {
    this.running ??= this.ask()
      .then(async (r) => {
        await this.settle(r);
        return r;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async ask(): Promise<ProbeResult> {
    const nonce = randomBytes(12).toString('base64url');
    const url = `${this.o.qrBaseUrl.replace(/\/$/, '')}/phone/ping?n=${nonce}`;
    try {
      const { status, body } = await fetchFresh(url, this.o.timeoutMs);
      if (status !== 200) return { ok: false, why: `${url} answered HTTP ${status}` };
      if (body.trim() !== nonce) return { ok: false, why: `${url} answered, but not with this gateway's nonce: the address leads to another server` };
      return { ok: true };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const cause = e.code === 'PROBE_TIMEOUT' ? `no answer within ${this.o.timeoutMs} ms` : plainCause(e.code ?? e.message);
      return { ok: false, why: `${url} could not be reached: ${cause}` };
    }
  }

  private async settle(r: ProbeResult): Promise<void> {
    const was = this.reachable;
    this.reachable = r.ok;
    if (r.ok) await this.o.alerts.clear(PHONE_ALERT, SUBJECT);
    else
      await this.o.alerts.raise(
        PHONE_ALERT,
        SUBJECT,
        `Phones cannot reach the rating page behind the kiosks' QR codes (手机无法打开扫码评价页面): ${r.why}. The kiosks hide the codes until it works again.`,
      );
    if (was !== r.ok) {
      this.o.logger.warn(
        { reachable: r.ok, ...(r.ok ? {} : { why: r.why }) },
        r.ok ? 'phones reach the rating page again; kiosks show the QR codes' : 'phones cannot reach the rating page; kiosks hide the QR codes',
      );
      await this.o.changed().catch((err: unknown) => this.o.logger.warn({ err }, 'device configs not all sent; they follow at the next connection'));
    }
  }
}

/** What a network error code means for hall IT, with the code kept for a search. */
function plainCause(code: string): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listens at that address and port)',
    ECONNRESET: 'the connection was cut',
    UND_ERR_SOCKET: 'the connection was closed before an answer',
    ENOTFOUND: 'the name does not resolve (DNS)',
    EAI_AGAIN: 'the name could not be resolved now (DNS)',
    EHOSTUNREACH: 'no route to that host',
    ENETUNREACH: 'no route to that network',
    ETIMEDOUT: 'the connection timed out',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed: phones will refuse it too',
    SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain is self-signed: phones will refuse it too',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate chain is incomplete: phones will refuse it too',
    CERT_HAS_EXPIRED: 'the certificate has expired: phones will refuse it too',
    ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is not for this host name: phones will refuse it too',
  };
  return words[code] ? `${words[code]} (${code})` : code;
}

/**
 * One GET on a new connection (no keep-alive pool): each probe goes the whole way a phone's first
 * request would — name, route, proxy, certificate — and never rides a connection opened earlier.
 */
function fetchFresh(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const answered = (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 1024) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req = (url.startsWith('https:') ? httpsGet : httpGet)(url, { agent: false, headers: { 'cache-control': 'no-cache' } }, answered);
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('probe timed out'), { code: 'PROBE_TIMEOUT' })));
    req.on('error', reject);
  });
}
