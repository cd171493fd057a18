/**
 * The device's HTTP calls to the gateway (enrolment, connection nonces), with node:http(s) rather
 * than fetch: fetch cannot be given the hall CA, and the answers (the MQTT password, the nonce) must
 * cross the hall LAN only over TLS the device verified. Every call is abortable: stop() must not
 * wait for a slow gateway (issue 10, start/stop).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** An answer larger than this is not the gateway's. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface GatewayHttpOptions {
  ca?: Buffer;
  signal: AbortSignal;
  timeoutMs?: number;
}

/** POST `body` as JSON (or nothing); resolves with the status and the parsed answer ({} if not JSON). */
export function postJson(url: string, body: unknown, o: GatewayHttpOptions): Promise<{ status: number; body: unknown }> {
  const u = new URL(url);
  const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'POST',
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'content-length': data.length },
        timeout: o.timeoutMs ?? 10_000,
        signal: o.signal,
        ...(o.ca ? { ca: o.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) return void req.destroy(new Error('the gateway answered with too much'));
          chunks.push(c);
        });
        res.on('end', () => {
          let parsed: unknown = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            /* not JSON: the status speaks */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${u.origin} in time`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** The `message` of a gateway error answer, if it has one. */
export function answerMessage(body: unknown): string | undefined {
  const m = (body as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m.slice(0, 200) : undefined;
}
