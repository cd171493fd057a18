/**
 * The gateway against a site's own broker (Mosquitto here; EMQX and others alike), the path for
 * halls that outgrow one machine (docs/DESIGN.md "Choices made"). The broker enforces identity
 * and topics (password file + pattern ACL written by the gateway, `use_username_as_clientid`), and
 * gateway workers take batches from a shared subscription and run the very same ingest.
 */
import type { Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { DEVICE_PUBLISHES, DEVICE_SUBSCRIBES, TOPIC_KINDS, TOPIC_ROOT, parseDeviceTopic } from '@hcp/contract';
import { INGEST_BACKLOG_BYTES, type BrokerHooks } from './embedded-broker.js';

export interface ExternalBrokerOptions {
  url: string;
  username: string;
  password: string;
  /**
   * This worker's MQTT client id (default: the username). Several workers need one each: a broker
   * drops the older session when an id connects again. So the gateway's listener must not force
   * the username as client id (Mosquitto's use_username_as_clientid belongs on the devices' one).
   */
  clientId?: string;
  caFile?: string;
  /** Mosquitto's password_file and acl_file, rewritten by the gateway; then `reloadCommand` runs. */
  passwordFile?: string;
  aclFile?: string;
  reloadCommand?: string[];
}

/** Mosquitto 2's password hash: `$7$iterations$salt$hash`, PBKDF2-SHA512. */
export function mosquittoPasswordHash(password: string, iterations = 101): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function mosquittoAcl(gatewayUser: string): string {
  return [
    `user ${gatewayUser}`,
    `topic readwrite ${TOPIC_ROOT}/#`,
    '',
    '# Every device: its own topics only (%u = its username = its client id), as the contract lists them.',
    ...DEVICE_PUBLISHES.map((k) => `pattern write ${TOPIC_ROOT}/%u/${TOPIC_KINDS[k]}`),
    ...DEVICE_SUBSCRIBES.map((k) => `pattern read ${TOPIC_ROOT}/%u/${TOPIC_KINDS[k]}`),
    '',
  ].join('\n');
}

export class ExternalBrokerLink {
  private client: MqttClient | null = null;

  constructor(
    private readonly o: ExternalBrokerOptions,
    private readonly hooks: Pick<BrokerHooks, 'onRecords' | 'onStatus' | 'onReceipt' | 'onBadge' | 'backlogBytes'>,
    private readonly logger: Logger,
  ) {}

  /** Write the broker's password and ACL files from the device hashes, then reload it. */
  /** Whether this broker's users are the gateway's to write (a password file is configured). */
  get writesUsers(): boolean {
    return this.o.passwordFile !== undefined;
  }

  /**
   * Write the password file (the gateway's user and these devices) and the ACL. Called holding the
   * file's turn (broker-password-file.ts); the broker reads them at `reloadBroker`.
   */
  writeUserFiles(deviceHashes: ReadonlyArray<{ deviceId: string; hash: string }>): void {
    if (!this.o.passwordFile) return;
    const lines = [`${this.o.username}:${mosquittoPasswordHash(this.o.password)}`, ...deviceHashes.map((d) => `${d.deviceId}:${d.hash}`)];
    // A temporary file of this process's own: a worker on another host may share the folder.
    const tmp = `${this.o.passwordFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
    renameSync(tmp, this.o.passwordFile);
    if (this.o.aclFile) writeFileSync(this.o.aclFile, mosquittoAcl(this.o.username), { mode: 0o600 });
  }

  /** Run the site's reload command: the broker reads the files again. A failure is logged. */
  async reloadBroker(): Promise<void> {
    if (!this.o.reloadCommand?.length) return;
    const [cmd, ...args] = this.o.reloadCommand;
    await new Promise<void>((res) =>
      execFile(cmd!, args, (err) => {
        if (err) this.logger.error({ err: err.message }, 'broker reload failed');
        res();
      }),
    );
  }

  async start(): Promise<void> {
    // Loaded only where a site's broker is used (issue 14, RSS of a hall's gateway).
    const { default: mqtt } = await import('mqtt');
    const client = mqtt.connect(this.o.url, {
      clientId: this.o.clientId ?? this.o.username,
      username: this.o.username,
      password: this.o.password,
      clean: true,
      reconnectPeriod: 500,
      ...(this.o.caFile ? { ca: readFileSync(this.o.caFile) } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      // Acks leave right after the PUBACK of their batch: without this they wait out Nagle.
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      // A shared subscription: the broker gives each message to one of the workers in the group,
      // so each device batch is stored (and acknowledged, on the device's own topic) by one of them.
      // A worker that dies with a batch unacknowledged leaves it to the device's resend, which
      // another worker takes; the UNIQUE keys of ingest keep a batch stored twice from counting twice.
      const kinds = DEVICE_PUBLISHES.map((k) => TOPIC_KINDS[k]);
      client.subscribe(
        kinds.map((k) => `$share/hcp-ingest/${TOPIC_ROOT}/+/${k}`),
        { qos: 1 },
        (err) => {
          if (err) this.logger.error({ err: err.message }, 'ingest subscription refused');
        },
      );
    });
    client.on('error', (err) => this.logger.warn({ err: err.message }, 'external broker error'));
    // Batches through MQTT.js's back-pressure hook: while the ingest queue holds more than
    // `INGEST_BACKLOG_BYTES`, the PUBACK and this link's next message wait until the batch is
    // decided, so a burst queues at the broker instead of in this process; below it, batches of
    // many devices gather for one group commit.
    client.handleMessage = (packet, callback) => {
      const t = parseDeviceTopic(packet.topic);
      if (t?.kind !== 'records') return callback();
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const decided = this.hooks.onRecords(t.deviceId, payload);
      if (this.hooks.backlogBytes() > INGEST_BACKLOG_BYTES) void decided.then(() => callback());
      else callback();
    };
    client.on('message', (topic, payload) => {
      const t = parseDeviceTopic(topic);
      if (!t) return;
      try {
        if (t.kind === 'status') this.hooks.onStatus(t.deviceId, payload, null);
        else if (t.kind === 'receipt') this.hooks.onReceipt(t.deviceId, payload);
        else if (t.kind === 'badge') this.hooks.onBadge(t.deviceId, payload);
      } catch (err) {
        this.logger.error({ err, deviceId: t.deviceId }, 'status not recorded');
      }
    });
  }

  publish(topic: string, payload: string | Buffer, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    if (!this.client) return Promise.reject(new Error('external broker link not started'));
    return this.client.publishAsync(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }).then(() => undefined);
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
    this.client = null;
  }
}
