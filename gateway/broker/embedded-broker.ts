/**
 * The gateway's embedded MQTT broker (aedes) and its least-privilege rules (docs/DESIGN.md): a
 * client logs in with clientId = username = its device id, its enrolment password and a fresh
 * proof of its key (enrolment/device-login.ts); it may publish only its own `records`, `status`,
 * `receipt` and `badge`, and subscribe only its own `ack`, `config`, `invite` and `command`
 * (@hcp/contract topics, DEVICE_PUBLISHES and DEVICE_SUBSCRIBES).
 * Everything refused is a security event. Batches go to the ingest queue from the publish hook;
 * the ack comes from what was committed (aedes' PUBACK does not mean stored).
 *
 * Two connections fighting for one device id (each taking the session from the other) are noticed
 * here: a login that replaces a live session is reported, and the caller decides when it is a fight.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { writeToStream } from 'mqtt-packet';
import type { Logger } from 'pino';
import { DEVICE_PUBLISHES, DEVICE_SUBSCRIBES, MAX_PAYLOAD_BYTES, parseDeviceTopic } from '@hcp/contract';
import type { LoginVerdict } from '../enrolment/device-login.js';
import type { SecurityEvent } from '../security/security-log.js';
import { guardPacketSize } from './packet-size-guard.js';
import { FailedLoginLimiter } from './failed-login-limiter.js';

export interface BrokerHooks {
  login(deviceId: string, password: string): Promise<LoginVerdict>;
  /** Resolves when the batch is decided. */
  onRecords(deviceId: string, payload: Buffer): Promise<void>;
  /** Bytes of batches waiting to be committed: past INGEST_BACKLOG_BYTES the broker stops reading devices' next batches until theirs are decided. */
  backlogBytes(): number;
  /**
   * `live`: whether the device has a live session — false for its last will, unless a newer
   * session already took over (then the will speaks of a connection that no longer matters).
   * null where the broker cannot tell (a site broker).
   */
  onStatus(deviceId: string, payload: Buffer, live: boolean | null): void;
  onReceipt(deviceId: string, payload: Buffer): void;
  /** The badge a capture asked for (issue 11). */
  onBadge(deviceId: string, payload: Buffer): void;
  /** A device's session began; `replaced`: it took the id over from a live session. */
  onConnected(deviceId: string, remote: string | null, replaced: boolean): void;
  /** The device subscribed to these of its topics: only now can messages on them reach it. */
  onSubscribed(deviceId: string, kinds: string[]): void;
  onDisconnected(deviceId: string): void;
  security(e: SecurityEvent): void;
}

export interface BrokerListenOptions {
  host: string;
  port: number;
  tls?: { keyFile: string; certFile: string; caFile?: string | undefined } | undefined;
}

/** Past this much waiting in the ingest queue, a device's next batch is read only once its last is decided (bounded memory). */
export const INGEST_BACKLOG_BYTES = 16 * 1024 * 1024;

// mqtt-packet (aedes' writer) fills a table of 65,536 two-byte Buffers on the first packet it writes
// (~6 MiB of heap for the process's life) to spare one tiny allocation per packet id; a hall's
// gateway is better off without it (issue 14, memory; its README's documented switch).
writeToStream.cacheNumbers = false;

const authError = (code: number, message: string) => Object.assign(new Error(message), { returnCode: code });
/** aedes keeps its live clients by id; its typings do not declare the map. */
const liveClients = (aedes: Aedes | null): Record<string, Client | undefined> => (aedes as unknown as { clients?: Record<string, Client> } | null)?.clients ?? {};
const remoteOf = (client: Client | null): string | null => (client as unknown as { conn?: Socket } | null)?.conn?.remoteAddress ?? null;

export class EmbeddedBroker {
  private aedes: Aedes | null = null;
  private server: Server | null = null;
  private readonly limiter = new FailedLoginLimiter();
  /** Ids whose live session a login just accepted will replace (with when, so a login that never completes is forgotten). */
  private readonly replacing = new Map<string, number>();

  constructor(
    private readonly hooks: BrokerHooks,
    private readonly logger: Logger,
  ) {}

  async start(listen: BrokerListenOptions): Promise<number> {
    if (this.aedes) throw new Error('broker already started');
    const options: AedesOptions = {
      // Bounded memory for slow or vanished clients (docs/STYLE.md "What they were burned by").
      drainTimeout: 10_000,
      queueLimit: 100,
      maxClientsIdLength: 64,
      connectTimeout: 10_000,
      authenticate: (client, username, password, done) => {
        const id = client.id;
        const remote = remoteOf(client);
        // Ids chosen by a stranger are not worth a row each: those refusals are counted per address.
        const refuse = (kind: string, detail: string, knownDevice: boolean) => {
          this.limiter.failed(remote);
          this.hooks.security({ kind, clientId: knownDevice ? id : null, remote, detail: knownDevice ? detail : `${detail} (last id tried: ${id.slice(0, 64)})` });
          done(authError(4, 'bad username or password') as never, false);
        };
        if (this.limiter.blocked(remote)) return refuse('connect-flood', 'too many refused logins from this address: refused without checking', false);
        if (!username || username !== id || !password) return refuse('connect-refused', 'client id and username must both be the device id', false);
        this.hooks.login(id, password.toString()).then(
          (v) => {
            if (!v.ok) {
              const detail = {
                'unknown-device': 'unknown, unenrolled or retired device',
                'wrong-password': 'wrong password',
                'no-key-proof': 'the right password without a proof of the device key: someone else may hold this password',
                'bad-key-proof': 'the right password with a key proof that does not verify: someone else may hold this password',
                'stale-nonce': 'a key proof with a used or expired nonce (a replay?)',
              }[v.why];
              return refuse(v.why === 'unknown-device' || v.why === 'wrong-password' ? 'connect-refused' : 'key-proof-failed', detail, v.why !== 'unknown-device');
            }
            if (liveClients(this.aedes)[id]) this.replacing.set(id, performance.now());
            done(null, true);
          },
          (err: unknown) => {
            this.logger.error({ err, clientId: id }, 'login check failed');
            done(authError(3, 'server unavailable') as never, false);
          },
        );
      },
      authorizePublish: (client, packet, callback) => {
        if (!client) return callback(null); // the gateway's own publishes
        const t = parseDeviceTopic(packet.topic);
        if (!t || t.deviceId !== client.id || !DEVICE_PUBLISHES.includes(t.kind)) {
          this.hooks.security({ kind: 'publish-refused', clientId: client.id, remote: remoteOf(client), detail: `may not publish to ${packet.topic}` });
          return callback(new Error('not authorised'));
        }
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        if (payload.length > MAX_PAYLOAD_BYTES) {
          this.hooks.security({ kind: 'publish-refused', clientId: client.id, remote: remoteOf(client), detail: `payload of ${payload.length} bytes is too large` });
          return callback(new Error('payload too large'));
        }
        if (t.kind === 'records') {
          // While the ingest queue is short, take the device's next packet at once (it commits in
          // the next group: pipelining); past the budget, only once this batch is decided.
          const decided = this.hooks.onRecords(client.id, payload);
          if (this.hooks.backlogBytes() > INGEST_BACKLOG_BYTES) return void decided.then(() => callback(null));
          return callback(null);
        }
        if (t.kind === 'status') {
          const isWill = packet === (client as unknown as { will?: unknown }).will;
          const current = liveClients(this.aedes)[client.id];
          this.hooks.onStatus(client.id, payload, isWill ? !!current && current !== client : true);
        } else if (t.kind === 'badge') {
          this.hooks.onBadge(client.id, payload);
        } else {
          this.hooks.onReceipt(client.id, payload);
        }
        callback(null);
      },
      authorizeSubscribe: (client, sub, callback) => {
        const t = parseDeviceTopic(sub.topic);
        if (!t || t.deviceId !== client.id || !DEVICE_SUBSCRIBES.includes(t.kind)) {
          this.hooks.security({ kind: 'subscribe-refused', clientId: client.id, remote: remoteOf(client), detail: `may not subscribe to ${sub.topic}` });
          // A null subscription is granted as failure 0x80 [MQTT-3.9.3-2] without dropping the client.
          return callback(null, null);
        }
        callback(null, sub);
      },
    };
    const aedes = await Aedes.createBroker(options);
    this.aedes = aedes;
    aedes.on('clientError', (c, err) => this.logger.debug({ clientId: c.id, err: err.message }, 'client error'));
    aedes.on('client', (c) => {
      const replaced = this.isReplacing(c.id);
      this.replacing.delete(c.id);
      this.hooks.onConnected(c.id, remoteOf(c), replaced);
    });
    aedes.on('subscribe', (subs, c) => {
      if (!c) return;
      const kinds = subs
        .map((x) => parseDeviceTopic(x.topic))
        .filter((t) => t?.deviceId === c.id)
        .map((t) => t!.kind);
      if (kinds.length) this.hooks.onSubscribed(c.id, kinds);
    });
    aedes.on('clientDisconnect', (c) => {
      // A takeover disconnects the old session first; the device is not offline then.
      if (!this.isReplacing(c.id)) this.hooks.onDisconnected(c.id);
    });
    const accept = (s: Socket) => {
      // An ack goes out right after the PUBACK of the batch it answers; with Nagle on, it waits
      // for the device's delayed TCP ACK of that PUBACK (~40 ms on Linux) before it leaves.
      s.setNoDelay(true);
      // A batch is at most MAX_PAYLOAD_BYTES plus its topic and headers.
      guardPacketSize(s, MAX_PAYLOAD_BYTES + 1024, (declared) =>
        this.hooks.security({ kind: 'packet-refused', clientId: null, remote: s.remoteAddress ?? null, detail: `a packet of ${declared} bytes exceeds the limit` }),
      );
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

  private isReplacing(id: string): boolean {
    const at = this.replacing.get(id);
    return at !== undefined && performance.now() - at < 5000;
  }

  publish(topic: string, payload: string | Buffer, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    return new Promise((res, rej) => {
      if (!this.aedes) return rej(new Error('broker not started'));
      this.aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), qos: opts.qos ?? 1, retain: opts.retain ?? false, dup: false },
        (err) => (err ? rej(err) : res()),
      );
    });
  }

  /** Whether the device has a live session right now. */
  isConnected(clientId: string): boolean {
    return !!liveClients(this.aedes)[clientId];
  }

  /** Close a device's live session (retired or re-enrolled: its old credentials are void). */
  disconnect(clientId: string): void {
    liveClients(this.aedes)[clientId]?.close();
  }

  /** Stop accepting connections (a network cut in drills) without stopping the gateway. */
  async closeListener(): Promise<void> {
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }

  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    this.server = null;
    this.aedes = null;
    await new Promise<void>((res) => (aedes ? aedes.close(() => res()) : res()));
    await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
  }
}
