/**
 * A stand-in for the hall gateway's HTTP side in the device suites (the real gateway is being
 * rewritten): `POST /api/enrol` (refusing the first N, answering slowly if asked) and
 * `POST /api/devices/:id/nonce`, with the check a broker runs on a key-proof password.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mqttProofText, parseProofPassword } from '../../../device/contract/index.js';

export interface EnrolStubOptions {
  /** Refuse this many enrolments (403) before answering. */
  refuse?: number;
  /** Hold each enrolment answer this long (ms). */
  delayMs?: number;
  keyProof?: 'connect' | 'none';
  password?: string;
}

export interface StubRequest {
  path: string;
  body: Record<string, unknown>;
  /** The client went away before the answer (an aborted request). */
  aborted: boolean;
}

export class EnrolStub {
  readonly requests: StubRequest[] = [];
  readonly password: string;
  devicePublicKey: KeyObject | null = null;
  /** Down: every TCP connection is closed at once (requests are then not counted, only `sockets`). */
  down = false;
  sockets = 0;
  private readonly nonces = new Map<string, { deviceId: string; used: boolean; expiresAt: number }>();
  private refusalsLeft: number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly o: EnrolStubOptions,
  ) {
    this.refusalsLeft = o.refuse ?? 0;
    this.password = o.password ?? randomBytes(18).toString('base64url');
  }

  static async start(o: EnrolStubOptions = {}): Promise<EnrolStub> {
    let self: EnrolStub | undefined;
    const server = createServer((req, res) => void self!.handle(req, res));
    server.on('connection', (s) => {
      self!.sockets += 1;
      if (self!.down) s.destroy();
    });
    const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
    self = new EnrolStub(server, `http://127.0.0.1:${port}`, o);
    return self;
  }

  count(path: RegExp): number {
    return this.requests.filter((r) => path.test(r.path)).length;
  }

  /** The broker's check of a CONNECT password: proof of the enrolled key over a fresh, unused nonce. */
  checkProof(deviceId: string, value: string | undefined): boolean {
    const p = value ? parseProofPassword(value) : null;
    if (!p || p.password !== this.password || !this.devicePublicKey) return false;
    const n = this.nonces.get(p.nonce);
    if (!n || n.used || n.deviceId !== deviceId || n.expiresAt < Date.now()) return false;
    n.used = true;
    return verify(null, Buffer.from(mqttProofText(deviceId, p.nonce)), this.devicePublicKey, Buffer.from(p.signature, 'base64'));
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
    } catch {
      /* not JSON */
    }
    const entry: StubRequest = { path: req.url ?? '', body, aborted: false };
    this.requests.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    const send = (status: number, answer: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    };
    const nonce = /^\/api\/devices\/([^/]+)\/nonce$/.exec(req.url ?? '');
    if (req.method === 'POST' && req.url === '/api/enrol') {
      if (this.o.delayMs) await new Promise((r) => setTimeout(r, this.o.delayMs));
      if (this.refusalsLeft > 0) {
        this.refusalsLeft -= 1;
        return send(403, { error: 'enrolment-refused', message: 'unknown or used enrolment code' });
      }
      this.devicePublicKey = createPublicKey(String(body.publicKeyPem));
      return send(200, { username: body.deviceId, password: this.password, keyProof: this.o.keyProof ?? 'none' });
    }
    if (req.method === 'POST' && nonce) {
      const value = randomBytes(16).toString('base64url');
      this.nonces.set(value, { deviceId: decodeURIComponent(nonce[1]!), used: false, expiresAt: Date.now() + 120_000 });
      return send(200, { nonce: value, expiresAt: new Date(Date.now() + 120_000).toISOString() });
    }
    send(404, { error: 'not-found', message: 'no such route' });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
