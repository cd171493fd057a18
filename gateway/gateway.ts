/**
 * The hall gateway's composition root (docs/DESIGN.md "The gateway's shape"). In order: open the
 * store and run every migration; build the core services and the features (each with the narrow
 * FeatureContext); build the HTTP API with the core's and the features' routes; listen (HTTP, then
 * the broker); start the features. stop() undoes it in reverse. Signals and config loading live in
 * gateway/main.ts.
 */
import { mkdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { InviteReceiptSchema, deviceTopic, type BatchAck } from '@hcp/contract';
import { AlertBoard } from './alerts/alert-board.js';
import { AuditLog } from './audit/audit-log.js';
import { EmbeddedBroker, type BrokerHooks } from './broker/embedded-broker.js';
import { BrokerPasswordFile } from './broker/broker-password-file.js';
import { ExternalBrokerLink, mosquittoPasswordHash } from './broker/external-broker.js';
import { SessionFightWatch } from './broker/session-fight-watch.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { BacklogTrend } from './devices/backlog-trend.js';
import { DeviceStatusBook } from './devices/device-status.js';
import { DeviceWatch } from './devices/device-watch.js';
import { DeviceLogin } from './enrolment/device-login.js';
import { Enrolment } from './enrolment/enrolment.js';
import { provisioningSheet } from './enrolment/provisioning.js';
import { TypedEventBus } from './events/event-bus.js';
import { systemClock, type Clock, type FeatureContext, type FeatureDefinition, type GatewayEvents, type GatewayFeature } from './feature.js';
import { buildApi } from './http/api.js';
import { consoleStatic } from './http/console-static.js';
import { ConsoleAuth } from './http/console-auth.js';
import { GatewayMetrics } from './http/metrics.js';
import { auditRoutes } from './http/routes/audit-routes.js';
import { integrityRoutes } from './http/routes/integrity-routes.js';
import { consoleRegistryRoutes } from './http/routes/console-registry-routes.js';
import type { CoreServices } from './http/routes/core-services.js';
import { deviceRoutes } from './http/routes/device-routes.js';
import { ratingRoutes } from './http/routes/rating-routes.js';
import { registryRoutes } from './http/routes/registry-routes.js';
import { sessionRoutes } from './http/routes/session-routes.js';
import { BatchCheckPool } from './ingest/batch-check-pool.js';
import { CollectWhenQuiet } from './memory/collect-when-quiet.js';
import { IngestQueue } from './ingest/ingest-queue.js';
import { Assessor } from './ratings/assessor.js';
import { BadgeCaptures } from './registry/badge-captures.js';
import { Registry } from './registry/registry.js';
import { SecurityLog } from './security/security-log.js';
import { liveRoutes } from './live/live-routes.js';
import { LiveHub } from './live/live-hub.js';
import { ScreenLinks } from './live/screen-links.js';
import { allMigrations } from './migrations.js';
import type { GatewayStore } from './store/database.js';
import { openConfiguredStore } from './store/open-store.js';
import { StoreHealthWatch } from './store/store-health.js';
import { migrateStore } from './store/migrations.js';
import { JobLeases } from './workers/job-lease.js';
import { registerWorkerMetrics, workerIdFromEnv } from './workers/worker-metrics.js';

export interface GatewayOptions {
  /** The features this build has; each runs if its config section is present (or it is always on). */
  features: readonly FeatureDefinition<unknown>[];
  clock?: Clock;
  /** This process's name among several workers on one PostgreSQL (default: HCP_WORKER_ID, else host and pid). */
  workerId?: string;
  /**
   * The store can no longer promise that a write reaches the disk (open-store.ts): from then on
   * every write fails. The program (main.ts) exits, and its service manager starts it again.
   */
  onStoreBroken?: (err: Error) => void;
}

export class Gateway {
  store!: GatewayStore;
  registry!: Registry;
  enrolment!: Enrolment;
  auth!: ConsoleAuth;
  alerts!: AlertBoard;
  private live: LiveHub | null = null;
  events!: TypedEventBus<GatewayEvents>;
  assessor!: Assessor;
  ingest!: IngestQueue;
  private checks: BatchCheckPool | null = null;
  private quietCollection: CollectWhenQuiet | null = null;
  /** Device, chain-gap and security alerts (devices/device-watch.ts); tests call its tick(). */
  watch!: DeviceWatch;
  private metrics: GatewayMetrics | null = null;
  broker: EmbeddedBroker | null = null;
  external: ExternalBrokerLink | null = null;
  /** A site broker's password file, when the gateway writes it. */
  private brokerFile: BrokerPasswordFile | null = null;
  /** Running features by name. */
  readonly features = new Map<string, GatewayFeature>();
  httpUrl = '';
  mqttPort = 0;
  private http: FastifyInstance | null = null;
  private security: SecurityLog | null = null;
  private captures!: BadgeCaptures;
  private status!: DeviceStatusBook;
  private started = false;
  readonly clock: Clock;
  readonly workerId: string;
  /** Which periodic jobs this worker runs (all of them on SQLite; workers/job-lease.ts). */
  leases: JobLeases | null = null;
  private readonly logger: Logger;

  constructor(
    private readonly config: GatewayConfig,
    logger: Logger,
    private readonly opts: GatewayOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.workerId = opts.workerId ?? workerIdFromEnv();
    // Every log line names the worker: with several, "which process did this" is the first question.
    this.logger = logger.child({ worker: this.workerId });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const c = this.config;
    const clock = this.clock;
    mkdirSync(c.dataDir, { recursive: true, mode: 0o700 });
    this.store = await openConfiguredStore(c, {
      onBroken: (err) => {
        this.logger.fatal({ err }, 'the store cannot make writes durable: no rating is acknowledged from now on');
        this.opts.onStoreBroken?.(err);
      },
      onCheckpointerFailed: (err) => this.logger.error({ err }, 'WAL checkpoints run in commits again, on the event loop: presses wait behind them'),
    });
    const applied = await migrateStore(this.store, allMigrations(this.opts.features));
    if (applied.length) this.logger.info({ applied }, 'database migrated');
    // Before any periodic job starts: each runs only on the worker holding its lease.
    this.leases = new JobLeases({ store: this.store, workerId: this.workerId, logger: this.logger.child({ ns: 'job-lease' }) });
    await this.leases.start();

    this.events = new TypedEventBus<GatewayEvents>(this.logger.child({ ns: 'events' }));
    this.alerts = new AlertBoard(this.store, clock, this.logger.child({ ns: 'alerts' }));
    const audit = new AuditLog(this.store, clock);
    this.security = new SecurityLog(this.store, clock, this.logger.child({ ns: 'security' }));
    this.captures = new BadgeCaptures({
      store: this.store,
      clock,
      audit,
      send: (deviceId, command) => this.publish(deviceTopic(deviceId, 'command'), JSON.stringify(command)),
      refused: (deviceId, detail) => this.security!.record({ kind: 'badge-refused', clientId: deviceId, remote: null, detail }),
      seesSubscriptions: !c.mqtt.external,
    });
    this.auth = new ConsoleAuth(this.store, clock, audit);
    const hall = { ...c.hall };
    // The contact key comes from the follow-up feature's key ring (registry.useContactKeys).
    this.registry = new Registry(this.store, hall, clock, undefined);
    const external = c.mqtt.external;
    this.enrolment = new Enrolment({
      store: this.store,
      clock,
      alerts: this.alerts,
      keyProof: c.mqtt.requireKeyProof ? 'connect' : 'none',
      ...(external ? { brokerHash: (pw: string) => mosquittoPasswordHash(pw) } : {}),
    });
    const login = new DeviceLogin(this.store, clock, c.mqtt.requireKeyProof);
    this.status = new DeviceStatusBook(this.store, clock, this.alerts, {
      storeFillAlert: c.watch.storeFillAlert,
      clockSkewAlertMs: c.watch.clockSkewAlertSec * 1000,
      backlog: new BacklogTrend(this.store, this.alerts, { risingReports: c.watch.backlogRisingReports, floor: c.watch.backlogFloor }),
    });
    this.watch = new DeviceWatch({ store: this.store, clock, alerts: this.alerts, logger: this.logger.child({ ns: 'device-watch' }), config: c.watch });
    this.assessor = new Assessor(
      this.store,
      clock,
      this.logger.child({ ns: 'assessor' }),
      () => this.events.emit('assessments-changed', { by: 'assessor' }),
      () => this.ingest.busy(),
    );
    this.checks = new BatchCheckPool(this.logger.child({ ns: 'ingest' }));
    const quiet = new CollectWhenQuiet({ collect: CollectWhenQuiet.exposedGc(), logger: this.logger.child({ ns: 'memory' }) });
    this.quietCollection = quiet;
    this.ingest = new IngestQueue(
      this.store,
      clock,
      this.logger.child({ ns: 'ingest' }),
      {
        ack: (deviceId, ack) => void this.sendAck(deviceId, ack),
        refused: (deviceId, why) => this.security!.record({ kind: 'batch-refused', clientId: deviceId, remote: null, detail: why }),
        stored: (deviceIds, count) => {
          this.metrics?.recordsStored(count);
          quiet.activity();
          this.events.emit('records-stored', { deviceIds, count });
          this.assessor.notify();
        },
      },
      this.checks,
    );

    const ctx: FeatureContext = {
      store: this.store,
      registry: this.registry,
      events: this.events,
      auth: this.auth,
      alerts: this.alerts,
      audit,
      clock,
      hall,
      logger: this.logger,
      dataDir: c.dataDir,
      catchUpAssessments: () => this.assessor.catchUp(),
      devices: { send: (deviceId, kind, payload) => this.publish(deviceTopic(deviceId, kind), JSON.stringify(payload)) },
    };
    for (const def of this.opts.features) {
      const section = c.features[def.configKey];
      if (section === undefined) continue;
      this.features.set(def.name, def.create({ ...ctx, logger: this.logger.child({ ns: def.name }) }, section));
    }

    const health = new StoreHealthWatch(this.store, this.logger.child({ ns: 'store' }));
    this.metrics = new GatewayMetrics(this.store, { uplink: this.features.has('uplink'), ingestPhases: this.ingest.phases, health: () => health.current() });
    // Only where several workers can run (one hall on SQLite has one process: nothing to tell apart).
    if (this.store.dialect === 'postgres') registerWorkerMetrics(this.metrics.registry, this.workerId, this.leases, this.store);
    const services: CoreServices = {
      store: this.store,
      registry: this.registry,
      enrolment: this.enrolment,
      login,
      status: this.status,
      alerts: this.alerts,
      audit,
      security: this.security,
      auth: this.auth,
      clock,
      hallName: c.hall.hallName,
      registryChanged: (windowId) => void this.sendConfigs(windowId),
      enrolled: (deviceId) => {
        // New credentials: the old session (if any) is void, and a site broker's password file changes.
        this.broker?.disconnect(deviceId);
        this.brokerFile?.requestRewrite('enrolled');
      },
      retired: (deviceId) => {
        this.broker?.disconnect(deviceId);
        this.brokerFile?.requestRewrite('retired');
      },
    };
    this.live = new LiveHub(this.store.db, this.alerts, this.logger.child({ ns: 'live' }), () => clock.now());
    this.http = await buildApi({
      logger: this.logger,
      health: () => health.current(),
      ...(c.http.tls ? { https: { key: readFileSync(c.http.tls.keyFile), cert: readFileSync(c.http.tls.certFile) } } : {}),
      plugins: [
        sessionRoutes(services),
        registryRoutes(services),
        deviceRoutes(services),
        ...consoleRegistryRoutes({
          ...services,
          captures: this.captures,
          provisioning: (host) => provisioningSheet(c, { httpUrl: this.httpUrl, mqttPort: this.mqttPort }, host),
        }),
        ratingRoutes(services),
        integrityRoutes(services),
        auditRoutes(services),
        this.metrics.routes(),
        liveRoutes({ s: services, hub: this.live, links: new ScreenLinks(this.store, clock), goodLevels: c.hall.goodLevels }),
        ...[...this.features.values()].flatMap((f) => (f.routes ? [f.routes] : [])),
        consoleStatic(),
      ],
    });
    await this.http.listen({ host: c.http.host, port: c.http.port });
    const addr = this.http.server.address();
    this.httpUrl = `${c.http.tls ? 'https' : 'http'}://${c.http.host}:${typeof addr === 'object' && addr ? addr.port : c.http.port}`;

    this.security.start();
    const hooks = this.brokerHooks(login);
    if (external) {
      // Each worker its own MQTT client id: the broker drops a session whose id connects again.
      const link = new ExternalBrokerLink({ ...external, clientId: `${external.username}.${this.workerId}` }, hooks, this.logger.child({ ns: 'external-broker' }));
      this.external = link;
      if (link.writesUsers) {
        this.brokerFile = new BrokerPasswordFile({
          store: this.store,
          // Through the enrolment object at each call: a test holds this read to make rewrites overlap.
          read: (trx) => this.enrolment.brokerPasswordHashes(trx),
          write: (devices) => link.writeUserFiles(devices),
          reload: () => link.reloadBroker(),
          logger: this.logger.child({ ns: 'broker-password-file' }),
        });
        await this.brokerFile.rewrite();
      }
      await this.external.start();
    } else {
      // Nobody is connected to a broker that just started.
      await this.status.allOffline();
      this.broker = new EmbeddedBroker(hooks, this.logger.child({ ns: 'broker' }));
      this.mqttPort = await this.broker.start({ host: c.mqtt.host, port: c.mqtt.port, tls: c.mqtt.tls });
    }
    await this.watch.start();
    this.assessor.notify();
    await this.live.start();
    for (const f of this.features.values()) await f.start();
    this.logger.info({ http: this.httpUrl, mqttPort: this.mqttPort, features: [...this.features.keys()] }, 'gateway started');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.watch?.stop();
    for (const f of [...this.features.values()].reverse()) await f.stop().catch((err: unknown) => this.logger.error({ err }, 'feature stop failed'));
    this.features.clear();
    await this.live?.stop();
    await this.http?.close();
    this.http = null;
    await this.broker?.stop();
    this.broker = null;
    await this.external?.stop();
    this.external = null;
    await this.brokerFile?.idle();
    this.brokerFile = null;
    await this.ingest?.idle();
    this.quietCollection?.stop();
    await this.checks?.close();
    await this.assessor?.catchUp().catch(() => undefined);
    await this.security?.stop();
    await this.leases?.stop();
    await this.store?.close();
  }

  /** Send the config of the devices of one window (or all) that are online now. */
  async sendConfigs(windowId: string | null): Promise<void> {
    for (const id of await this.registry.deviceIds(windowId)) {
      if (this.broker && !this.broker.isConnected(id)) continue;
      await this.sendConfig(id);
    }
  }

  private async sendConfig(deviceId: string): Promise<void> {
    try {
      const config = await this.registry.configFor(deviceId);
      if (config) await this.publish(deviceTopic(deviceId, 'config'), JSON.stringify(config));
    } catch (err) {
      this.logger.warn({ err, deviceId }, 'config not sent; it goes again at the next connection');
    }
  }

  private publish(topic: string, payload: string): Promise<void> {
    if (this.external) return this.external.publish(topic, payload, { qos: 1 });
    return this.broker ? this.broker.publish(topic, payload, { qos: 1 }) : Promise.reject(new Error('the broker is not running'));
  }

  private async sendAck(deviceId: string, ack: BatchAck): Promise<void> {
    try {
      await this.publish(deviceTopic(deviceId, 'ack'), JSON.stringify(ack));
    } catch (err) {
      // The records are committed; the device will resend and get the ack again.
      this.logger.warn({ err, deviceId }, 'ack not sent');
    }
  }

  private brokerHooks(login: DeviceLogin): BrokerHooks {
    const fights = new SessionFightWatch(this.clock);
    const security = this.security!;
    const came = async (deviceId: string) => {
      await this.sendConfig(deviceId);
      this.events.emit('device-online', { deviceId });
    };
    return {
      login: (id, pw) => {
        // A thousand devices connecting is a burst too (and each that was enrolled before passwords
        // were stored as SHA-256 makes one scrypt, store/secrets.ts).
        this.quietCollection?.activity();
        return login.check(id, pw);
      },
      onRecords: (deviceId, payload) => this.ingest.submit(deviceId, payload),
      backlogBytes: () => this.ingest.queuedBytes,
      onStatus: (deviceId, payload, live) =>
        void this.status.report(deviceId, payload, live).then(
          async (r) => {
            if (r === 'malformed') return security.record({ kind: 'status-refused', clientId: deviceId, remote: null, detail: 'malformed device status' });
            // A site broker tells us of connections only through the devices' own reports.
            if (this.external && r.cameOnline) await came(deviceId);
            if (this.external && r.wentOffline) this.events.emit('device-offline', { deviceId });
          },
          (err: unknown) => this.logger.error({ err, deviceId }, 'device status not recorded'),
        ),
      onReceipt: (deviceId, payload) => {
        try {
          const r = InviteReceiptSchema.safeParse(JSON.parse(payload.toString('utf8')));
          if (r.success) return this.events.emit('invite-receipt', { deviceId, receipt: r.data });
        } catch {
          /* fall through */
        }
        security.record({ kind: 'receipt-refused', clientId: deviceId, remote: null, detail: 'malformed invitation receipt' });
      },
      onBadge: (deviceId, payload) => void this.captures.report(deviceId, payload).catch((err: unknown) => this.logger.error({ err, deviceId }, 'badge capture not recorded')),
      onConnected: (deviceId, remote, replaced) => {
        if (replaced && fights.takeover(deviceId)) {
          const detail = "two connections keep taking this device's session from each other: a copy of the device (its key and password) is running somewhere";
          security.record({ kind: 'session-fight', clientId: deviceId, remote, detail });
          void this.alerts.raise('session-fight', deviceId, detail);
        }
        void this.status.connected(deviceId).catch((err: unknown) => this.logger.error({ err, deviceId }, 'device presence not recorded'));
      },
      // Config and invitations go once the device listens for them (a publish before its
      // SUBSCRIBE would be lost: sessions are clean).
      onSubscribed: (deviceId, kinds) => {
        this.captures.subscribed(deviceId, kinds);
        if (kinds.includes('invite') || kinds.includes('config')) void came(deviceId);
      },
      onDisconnected: (deviceId) => {
        this.captures.disconnected(deviceId);
        void this.status.disconnected(deviceId).then(
          () => this.events.emit('device-offline', { deviceId }),
          (err: unknown) => this.logger.error({ err, deviceId }, 'device presence not recorded'),
        );
      },
      security: (e) => {
        security.record(e);
        if (e.kind === 'key-proof-failed' && e.clientId)
          void this.alerts.raise(
            'device-password-misuse',
            e.clientId,
            `a connection gave this device's password without a valid proof of its key: someone else may hold the password. ${e.detail}`,
          );
      },
    };
  }
}
