/**
 * The device program's composition root: store, key, runtime, local API and the optional features
 * named in the config. Constructors only assign; start()/stop() own every resource (docs/STYLE.md §1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes, sign } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { openDeviceDatabase, type Db } from './store/database.js';
import { ChainStore } from './store/chain-store.js';
import { KvState } from './store/kv-state.js';
import { EventLog } from './store/event-log.js';
import { loadOrCreateDeviceKey } from './store/device-key.js';
import { DeviceRuntime } from './runtime/device-runtime.js';
import { configFromBootstrap } from './runtime/window-config.js';
import type { Feature, FeatureDeps } from './runtime/ports.js';
import { buildLocalApi, listenLocalApi } from './local-api/local-api.js';
import { SimulatedCitizens } from './simulator/simulated-citizens.js';
import type { DeviceFileConfig } from './config/device-config.js';
import { AnchoredClock, type StampClock } from './clock/stamp-clock.js';
import { ClockEpochs } from './clock/clock-epochs.js';
import { ChainPruner } from './store/chain-pruner.js';
import { StoreFill } from './store/store-fill.js';
import { StoreRetention } from './retention/store-retention.js';
import { readInstalledVersion } from './update/installed-version.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The installed release's version (its package.json, stamped by scripts/make-release.ts), not a constant. */
export const SOFTWARE_VERSION = readInstalledVersion(REPO_ROOT);
export const DEFAULT_KIOSK_DIR = join(REPO_ROOT, 'electron-app', 'dist', 'renderer');

/** Factories of optional features, keyed by their config section (wired in main.ts). */
export type FeatureFactory = (deps: FeatureDeps) => Feature;

export interface ProgramOptions {
  /** What the device stamps with; by default anchored to the wall clock at start (device/clock/stamp-clock.ts). */
  clock?: StampClock;
}

export class DeviceProgram {
  private db: Db | null = null;
  private api: FastifyInstance | null = null;
  private features: Feature[] = [];
  runtime: DeviceRuntime | null = null;
  store: ChainStore | null = null;
  localApiUrl = '';
  token = '';

  constructor(
    private readonly config: DeviceFileConfig,
    private readonly logger: Logger,
    private readonly featureFactories: Partial<Record<'gateway' | 'hardware' | 'receipt', FeatureFactory>> = {},
    private readonly options: ProgramOptions = {},
  ) {}

  async start(): Promise<void> {
    const c = this.config;
    const clock = this.options.clock ?? new AnchoredClock();
    const now = () => clock.now();
    mkdirSync(c.dataDir, { recursive: true, mode: 0o700 });
    this.db = openDeviceDatabase(join(c.dataDir, 'device.db'), c.store.maxSizeMiB !== undefined ? { maxSizeMiB: c.store.maxSizeMiB } : {});
    const key = loadOrCreateDeviceKey(c.dataDir);
    this.store = new ChainStore(this.db, c.deviceId, key.privateKey, now);
    // This run is a clock epoch of its own: its first record is the next seq.
    const clocks = ClockEpochs.begin(this.db, clock, this.store.headSeq() + 1);
    const fill = new StoreFill(this.db, c.dataDir, c.store.maxSizeMiB !== undefined);
    const events = new EventLog(this.db, this.logger.child({ ns: 'events' }), now);
    this.runtime = new DeviceRuntime({
      deviceId: c.deviceId,
      store: this.store,
      kv: new KvState(this.db),
      events,
      logger: this.logger.child({ ns: 'runtime' }),
      initialConfig: configFromBootstrap(c.deviceId, c.bootstrap, c.invitationTimeoutSec),
      detailsTimeoutSec: c.detailsTimeoutSec,
      thanksTimeoutSec: c.thanksTimeoutSec,
      now,
    });

    // A fresh token every boot; the kiosk shell on this machine reads it from the data dir.
    this.token = randomBytes(24).toString('base64url');
    writeFileSync(join(c.dataDir, 'local-api.token'), this.token, { mode: 0o600 });
    const store = this.store;
    this.api = await buildLocalApi({
      runtime: this.runtime,
      token: this.token,
      logger: this.logger,
      staticDir: c.localApi.staticDir ?? DEFAULT_KIOSK_DIR,
      status: () => ({
        deviceId: c.deviceId,
        softwareVersion: SOFTWARE_VERSION,
        headSeq: store.headSeq(),
        backlog: store.backlog(),
        lastAcknowledgedAt: store.lastAcknowledgedAt(),
        rejected: store.rejected(),
        storeFill: fill.read() ?? null,
      }),
    });
    this.localApiUrl = await listenLocalApi(this.api, c.localApi.port);

    // Retention is no option: every device's store must not fill up with what the gateway already holds.
    this.features.push(
      new StoreRetention({
        pruner: new ChainPruner(this.db),
        fill: () => fill.read(),
        backlog: () => store.backlog(),
        retainDays: c.store.retainDays,
        clock,
        events: this.runtime.events,
        logger: this.logger.child({ ns: 'retention' }),
      }),
    );
    const deps: Omit<FeatureDeps, 'section'> = {
      identity: { deviceId: c.deviceId, publicKeyPem: key.publicKeyPem, sign: (data) => sign(null, data, key.privateKey).toString('base64') },
      outbox: this.store,
      sink: this.runtime,
      runtime: this.runtime,
      dataDir: c.dataDir,
      logger: this.logger,
      softwareVersion: SOFTWARE_VERSION,
      clock,
      clocks,
      storeFill: () => fill.read(),
      recordEvent: (kind, detail) => events.record(kind, detail),
    };
    for (const name of ['gateway', 'hardware', 'receipt'] as const) {
      const factory = this.featureFactories[name];
      if (c[name] !== undefined && factory) this.features.push(factory({ ...deps, section: c[name], logger: this.logger.child({ ns: name }) }));
    }
    if (c.simulator?.enabled) {
      this.features.push(new SimulatedCitizens({ runtime: this.runtime, ratingsPerMinute: c.simulator.ratingsPerMinute, logger: this.logger.child({ ns: 'simulator' }) }));
    }
    for (const f of this.features) await f.start();
  }

  async stop(): Promise<void> {
    for (const f of [...this.features].reverse()) await f.stop().catch((err) => this.logger.error({ err }, 'feature stop failed'));
    this.features = [];
    await this.api?.close();
    this.api = null;
    await this.runtime?.stop();
    this.db?.close();
    this.db = null;
  }
}
