/**
 * The gateway's embedded MQTT broker (aedes) and its least-privilege rules (DESIGN.md): a client
 * logs in with clientId = username = its device id and the password it got at enrolment; it may
 * publish only its own `records` and `status`, and subscribe only its own `ack`, `config` and
 * `invite` (device/contract/topics.ts). Everything refused is logged and recorded.
 * Batches are ingested in the publish hook, before aedes routes the packet, so the ack is made
 * from what was committed (aedes' PUBACK does not mean stored).
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { guardPacketSize } from './packet-size-guard.js';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { Aedes, type AedesOptions } from 'aedes';
import type { Logger } from 'pino';
import { DEVICE_PUBLISHES, DEVICE_SUBSCRIBES, MAX_PAYLOAD_BYTES, parseDeviceTopic } from '../../device/contract/index.js';

export interface BrokerHooks {
  checkCredentials(deviceId: string, password: string): Promise<boolean>;
  /** Handle a device's batch; resolves when the ack is published. */
  onRecords(deviceId: string, payload: Buffer): void;
  onStatus(deviceId: string, payload: Buffer): void;
  onSecurityEvent(kind: string, clientId: string | null, detail: string): void;
}

export interface BrokerListenOptions {
  host: string;
  port: number;
  tls?: { keyFile: string; certFile: string; caFile?: string };
}

const authError = (code: number, message: string) => Object.assign(new Error(message), { returnCode: code });

export class EmbeddedBroker {
  aedes: Aedes | null = null;
  private server: Server | null = null;

  constructor(
    private readonly hooks: BrokerHooks,
    private readonly logger: Logger,
  ) {}

  async start(listen: BrokerListenOptions): Promise<number> {
    const options: AedesOptions = {
      // Bounded memory for slow or vanished clients (STYLE.md: "what they were burned by").
      drainTimeout: 10_000,
      queueLimit: 100,
      maxClientsIdLength: 64,
      connectTimeout: 10_000,
      authenticate: (client, username, password, done) => {
        const id = client.id;
        if (!username || username !== id || !password) {
          this.refuse('connect-refused', id, `client id and username must both be the device id (got ${username ?? 'none'})`);
          return done(authError(4, 'bad username or password') as never, false);
        }
        void this.hooks.checkCredentials(id, password.toString()).then((ok) => {
          if (!ok) {
            this.refuse('connect-refused', id, 'wrong password, unknown or retired device');
            return done(authError(4, 'bad username or password') as never, false);
          }
          done(null, true);
        });
      },
      authorizePublish: (client, packet, callback) => {
        if (!client) return callback(null); // the gateway's own publishes
        const t = parseDeviceTopic(packet.topic);
        if (!t || t.deviceId !== client.id || !DEVICE_PUBLISHES.includes(t.kind)) {
          this.refuse('publish-refused', client.id, `may not publish to ${packet.topic}`);
          return callback(new Error('not authorised'));
        }
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        if (payload.length > MAX_PAYLOAD_BYTES) {
          this.refuse('publish-refused', client.id, `payload of ${payload.length} bytes is too large`);
          return callback(new Error('payload too large'));
        }
        try {
          if (t.kind === 'records') this.hooks.onRecords(client.id, payload);
          else this.hooks.onStatus(client.id, payload);
        } catch (err) {
          this.logger.error({ err, deviceId: client.id }, 'ingest failed');
          return callback(new Error('ingest failed'));
        }
        callback(null);
      },
      authorizeSubscribe: (client, sub, callback) => {
        const t = parseDeviceTopic(sub.topic);
        if (!t || t.deviceId !== client.id || !DEVICE_SUBSCRIBES.includes(t.kind)) {
          this.refuse('subscribe-refused', client.id, `may not subscribe to ${sub.topic}`);
          // A null subscription is granted as failure 0x80 [MQTT-3.9.3-2] without dropping the client.
          return callback(null, null);
        }
        callback(null, sub);
      },
    };
    this.aedes = await Aedes.createBroker(options);
    this.aedes.on('clientError', (c, err) => this.logger.debug({ clientId: c.id, err: err.message }, 'client error'));
    const aedes = this.aedes;
    const accept = (s: Socket) => {
      // A batch is at most MAX_PAYLOAD_BYTES plus its topic and headers.
      guardPacketSize(s, MAX_PAYLOAD_BYTES + 1024, (declared) => this.refuse('packet-refused', null, `a packet of ${declared} bytes from ${s.remoteAddress ?? '?'} exceeds the limit`));
      aedes.handle(s);
    };
    this.server = listen.tls
      ? createTlsServer(
          { key: readFileSync(listen.tls.keyFile), cert: readFileSync(listen.tls.certFile), ...(listen.tls.caFile ? { ca: readFileSync(listen.tls.caFile) } : {}) },
          accept,
        )
      : createTcpServer(accept);
    await new Promise<void>((res, rej) => {
      this.server!.once('error', rej);
      this.server!.listen(listen.port, listen.host, () => res());
    });
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : listen.port;
  }

  publish(topic: string, payload: string | Buffer, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    return new Promise((res, rej) => {
      if (!this.aedes) return rej(new Error('broker not started'));
      this.aedes.publish({ cmd: 'publish', topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: opts.qos ?? 1, retain: opts.retain ?? false, dup: false }, (err) => (err ? rej(err) : res()));
    });
  }

  /** Close a device's live session (retired or re-enrolled: its old credentials are void). */
  disconnect(clientId: string): void {
    const clients = (this.aedes as unknown as { clients?: Record<string, { close(): void }> } | null)?.clients;
    clients?.[clientId]?.close();
  }

  /** Stop accepting connections (a network cut in drills) without stopping the gateway. */
  async closeListener(): Promise<void> {
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await new Promise<void>((res) => (this.aedes ? this.aedes.close(() => res()) : res()));
    await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
    this.aedes = null;
  }

  private refuse(kind: string, clientId: string | null, detail: string): void {
    this.logger.warn({ clientId, kind }, detail);
    this.hooks.onSecurityEvent(kind, clientId, detail);
  }
}
