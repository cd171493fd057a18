/**
 * The hall gateway's composition root: store, registry, embedded broker with ingest, HTTP API,
 * and any extra features (uplink, cases) with their fastify plugins. start()/stop() own every
 * resource; signals live in gateway/main.ts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { DeviceStatusSchema, deviceTopic, type BatchAck, type ChainRecord, type InvitePayload } from '../device/contract/index.js';
import { EmbeddedBroker, type BrokerHooks } from './broker/embedded-broker.js';
import { ExternalBrokerLink, mosquittoPasswordHash } from './broker/external-broker.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { DeviceRegistry } from './enrolment/device-registry.js';
import { ConsoleAuth } from './http/auth.js';
import { buildGatewayApi } from './http/gateway-api.js';
import { BatchIngest } from './ingest/batch-ingest.js';
import { openGatewayStore, type FeatureMigration, type GatewayDb } from './store/gateway-store.js';

export interface GatewayFeature {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface GatewayExtensions {
  migrations?: FeatureMigration[];
  plugins?: FastifyPluginAsync[];
  /** Built once the store and broker exist. */
  features?: Array<(g: Gateway) => GatewayFeature>;
  onStored?: (records: ChainRecord[]) => void;
}

export class Gateway {
  db!: GatewayDb;
  registry!: DeviceRegistry;
  auth!: ConsoleAuth;
  broker: EmbeddedBroker | null = null;
  external: ExternalBrokerLink | null = null;
  contactPrivateKey!: KeyObject;
  httpUrl = '';
  mqttPort = 0;
  private http: FastifyInstance | null = null;
  private ingest!: BatchIngest;
  private features: GatewayFeature[] = [];

  constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
    private readonly ext: GatewayExtensions = {},
  ) {}

  async start(): Promise<void> {
    const c = this.config;
    mkdirSync(c.dataDir, { recursive: true, mode: 0o700 });
    this.db = openGatewayStore(join(c.dataDir, 'gateway.db'), { extraMigrations: this.ext.migrations ?? [] });
    const contactKey = this.loadContactKey();
    this.registry = new DeviceRegistry(this.db, { ...c.hall, contactKey }, undefined, c.mqtt.external ? (pw) => mosquittoPasswordHash(pw) : undefined);
    this.auth = new ConsoleAuth(this.db);
    this.ingest = new BatchIngest(this.db, this.logger.child({ ns: 'ingest' }), this.ext.onStored);
    const security = this.db.prepare('INSERT INTO security_events (at, kind, client_id, detail) VALUES (?, ?, ?, ?)');

    const hooks: BrokerHooks = {
        checkCredentials: (id, pw) => this.registry.checkCredentialsAsync(id, pw),
        onRecords: (deviceId, payload) => {
          const result = this.ingest.ingest(deviceId, payload);
          if (!result.ack) return void security.run(new Date().toISOString(), 'batch-refused', deviceId, result.refused ?? '');
          void this.sendAck(deviceId, result.ack);
        },
        onStatus: (deviceId, payload) => {
          try {
            const s = DeviceStatusSchema.safeParse(JSON.parse(payload.toString('utf8')));
            if (s.success && s.data.deviceId === deviceId) this.registry.setStatus(deviceId, { ...s.data, receivedAt: new Date().toISOString() });
            else this.logger.warn({ deviceId }, 'malformed device status ignored');
          } catch {
            this.logger.warn({ deviceId }, 'device status is not JSON');
          }
        },
        onSecurityEvent: (kind, clientId, detail) => void security.run(new Date().toISOString(), kind, clientId, detail),
    };
    if (c.mqtt.external) {
      this.external = new ExternalBrokerLink(c.mqtt.external, hooks, this.logger.child({ ns: 'external-broker' }));
      await this.external.syncBrokerAuth(this.registry.brokerPasswordHashes());
      await this.external.start();
    } else {
      this.broker = new EmbeddedBroker(hooks, this.logger.child({ ns: 'broker' }));
      this.mqttPort = await this.broker.start({ host: c.mqtt.host, port: c.mqtt.port, ...(c.mqtt.tls ? { tls: c.mqtt.tls } : {}) });
    }

    this.http = await buildGatewayApi({
      db: this.db, registry: this.registry, auth: this.auth, logger: this.logger, plugins: this.ext.plugins ?? [],
      ...(c.http.tls ? { https: { key: readFileSync(c.http.tls.keyFile), cert: readFileSync(c.http.tls.certFile) } } : {}),
      onRegistryChange: (windowId) => void this.publishConfigs(windowId),
      onEnrolled: (deviceId) => {
        // New credentials: the old session (if any) is void, the external broker's password file
        // changes, and the device gets its config.
        this.ingest.forget(deviceId);
        this.broker?.disconnect(deviceId);
        if (this.external) void this.external.syncBrokerAuth(this.registry.brokerPasswordHashes());
        const config = this.registry.configFor(deviceId);
        if (config) void this.publishTo(deviceTopic(deviceId, 'config'), JSON.stringify(config), { retain: true });
      },
      onDeviceRetired: (deviceId) => {
        this.ingest.forget(deviceId);
        this.broker?.disconnect(deviceId);
        void this.publishTo(deviceTopic(deviceId, 'config'), '', { retain: true });
        if (this.external) void this.external.syncBrokerAuth(this.registry.brokerPasswordHashes());
      },
    });
    await this.http.listen({ host: c.http.host, port: c.http.port });
    const addr = this.http.server.address();
    this.httpUrl = `${c.http.tls ? 'https' : 'http'}://${c.http.host}:${typeof addr === 'object' && addr ? addr.port : c.http.port}`;

    // The broker's retained store is in memory: after a restart, every device's config is published again.
    await this.publishConfigs(null).catch((err) => this.logger.warn({ err }, 'configs not yet published'));
    for (const make of this.ext.features ?? []) this.features.push(make(this));
    for (const f of this.features) await f.start();
    this.logger.info({ http: this.httpUrl, mqttPort: this.mqttPort }, 'gateway started');
  }

  async stop(): Promise<void> {
    for (const f of [...this.features].reverse()) await f.stop().catch((err) => this.logger.error({ err }, 'feature stop failed'));
    this.features = [];
    await this.http?.close();
    this.http = null;
    await this.broker?.stop();
    this.broker = null;
    await this.external?.stop();
    this.external = null;
    this.db?.close();
  }

  /** Push a case invitation to a window's device (R9). QoS 1; the device answers through its rating. */
  async publishInvite(deviceId: string, invite: InvitePayload): Promise<void> {
    await this.publishTo(deviceTopic(deviceId, 'invite'), JSON.stringify(invite), { qos: 1 });
  }

  /** Republish the retained config of the devices of one window (or all). */
  async publishConfigs(windowId: string | null): Promise<void> {
    const ids = windowId ? this.registry.deviceIdsForWindow(windowId) : this.registry.allActiveDeviceIds();
    for (const id of ids) {
      const config = this.registry.configFor(id);
      if (config) await this.publishTo(deviceTopic(id, 'config'), JSON.stringify(config), { retain: true });
    }
  }

  private publishTo(topic: string, payload: string, opts: { retain?: boolean; qos?: 0 | 1 }): Promise<void> {
    if (this.external) return this.external.publish(topic, payload, opts);
    return this.broker ? this.broker.publish(topic, payload, opts) : Promise.resolve();
  }

  private async sendAck(deviceId: string, ack: BatchAck): Promise<void> {
    try {
      await this.publishTo(deviceTopic(deviceId, 'ack'), JSON.stringify(ack), { qos: 1 });
    } catch (err) {
      // The records are committed; the device will resend and get the ack again.
      this.logger.warn({ err, deviceId }, 'ack not sent');
    }
  }

  /** The hall's X25519 key for call-back contacts, made on first start; devices get the public half. */
  private loadContactKey(): { keyId: string; publicKeyPem: string } {
    const file = join(this.config.dataDir, 'hall-contact-key.pem');
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('x25519');
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    this.contactPrivateKey = createPrivateKey(readFileSync(file));
    const publicKeyPem = createPublicKey(this.contactPrivateKey).export({ type: 'spki', format: 'pem' }).toString();
    return { keyId: `hall-${publicKeyPem.slice(30, 42).replace(/[^A-Za-z0-9]/g, '')}`, publicKeyPem };
  }
}
