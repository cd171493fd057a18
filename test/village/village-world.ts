/**
 * For the village tests (issue 13): a hall CA and the gateway's certificate (the real `make-tls`
 * code, openssl), an in-process gateway with the village feature and a clock the test moves, and a
 * village device — the real device program and store on that clock, offline or syncing over MQTT.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { DeviceFileConfigSchema, type DeviceFileConfig } from '../../device/config/device-config.js';
import type { RatingRecord } from '../../device/contract/index.js';
import { DeviceProgram } from '../../device/device-program.js';
import { ChainStore, type NewRecord } from '../../device/store/chain-store.js';
import { openDeviceDatabase } from '../../device/store/database.js';
import { createGatewaySync } from '../../device/sync/index.js';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import type { Clock, FeatureDefinition } from '../../gateway/feature.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { Gateway } from '../../gateway/gateway.js';
import { ensureHallCa, issueGatewayCertificate } from '../../gateway/tls/hall-ca.js';
import type { VillageFeature } from '../../gateway/village/village-feature.js';
import { villageFeature } from '../../gateway/village/village-feature.js';
import { DEMO_STAFF, deviceConfig } from '../../scripts/lib/device-process.js';

export const DAY = 24 * 3600_000;

/** A clock both sides read: the test moves it. */
export class DrillClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  iso(): string {
    return new Date(this.t).toISOString();
  }
}

export interface HallTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A hall CA and a gateway certificate it issued, as `gateway make-tls` makes them. */
export function makeHallTls(dir: string, hallName = '青龙镇便民服务中心'): HallTls {
  mkdirSync(dir, { recursive: true });
  const ca = ensureHallCa(join(dir, 'hall-ca.pem'), join(dir, 'hall-ca.key'), hallName);
  const pair = { certFile: join(dir, 'gw.pem'), keyFile: join(dir, 'gw.key') };
  issueGatewayCertificate(ca, ['127.0.0.1', 'localhost'], 30, [pair]);
  return { caFile: ca.certFile, ...pair };
}

/** The build's features, with the village feature until gateway/features.ts lists it. */
export const FEATURES: readonly FeatureDefinition<unknown>[] = GATEWAY_FEATURES.some((f) => f.name === 'village')
  ? GATEWAY_FEATURES
  : [...GATEWAY_FEATURES, villageFeature as FeatureDefinition<unknown>];

/** An in-process gateway as test/sync/gateway-fixture.ts makes it, with the village feature and its certificate. */
export async function startVillageGateway(o: { dir: string; clock: Clock; tls: HallTls | null }): Promise<Gateway> {
  const config = parseGatewayConfig(
    {
      dataDir: join(o.dir, 'data'),
      http: { port: 0 },
      mqtt: { port: 0 },
      hall: { hallName: '青龙镇便民服务中心' },
      cases: { answerWaitMs: 0 },
      village: o.tls ? { certFile: o.tls.certFile, keyFile: o.tls.keyFile } : {},
    },
    FEATURES,
    o.dir,
  );
  const gw = new Gateway(config, pino({ level: process.env.HCP_TEST_LOG ?? 'silent' }), { features: FEATURES, clock: o.clock });
  await gw.start();
  await gw.registry.upsertWindow({ windowId: 'w-01', number: '01', department: '民政办' });
  return gw;
}

export const villageOf = (gw: Gateway) => gw.features.get('village') as VillageFeature;

/** A village device: the real device program on the drill's clock, its config file for the CLIs. */
export class VillageDevice {
  program: DeviceProgram | null = null;
  /** The program's logger: silent, unless a test reads what the device logs. */
  logger: pino.Logger = pino({ level: 'silent' });
  readonly config: DeviceFileConfig;
  readonly configFile: string;

  constructor(
    readonly deviceId: string,
    readonly dir: string,
    private readonly clock: DrillClock,
    gateway: {
      url: string;
      mqttUrl: string;
      enrolmentCode?: string;
      caFile?: string;
      keepaliveS?: number;
      ackTimeoutMs?: number;
      retry?: { initialMs: number; maxMs: number; stableMs: number; refusedMs: number };
    } | null,
  ) {
    const raw = deviceConfig({
      deviceId,
      dir,
      config: {
        logLevel: 'silent',
        bootstrap: { hallName: '青龙镇便民服务中心', window: { id: 'w-01', number: '01', department: '民政办' }, roster: [DEMO_STAFF] },
        ...(gateway ? { gateway: { retry: { initialMs: 50, maxMs: 500, stableMs: 1000, refusedMs: 500 }, ackTimeoutMs: 2000, ...gateway } } : {}),
      },
    });
    mkdirSync(dir, { recursive: true });
    this.configFile = join(dir, 'device.json');
    writeFileSync(this.configFile, JSON.stringify(raw, null, 2));
    this.config = DeviceFileConfigSchema.parse(raw);
  }

  /** Start the program; `online` runs the gateway sync (MQTT), otherwise it has no network at all. */
  async start(online: boolean): Promise<void> {
    const config = online ? this.config : { ...this.config, gateway: undefined };
    this.program = new DeviceProgram(config, this.logger, online ? { gateway: (deps) => createGatewaySync(deps) } : {}, { clock: this.clock });
    await this.program.start();
    // The worker's badge: a tap logs in (or out, if the session survived the restart).
    if (!this.program.runtime!.view().staff) await this.program.runtime!.submit({ kind: 'badge', uid: DEMO_STAFF.badgeUids[0]!, source: 'test' });
  }

  async stop(): Promise<void> {
    await this.program?.stop();
    this.program = null;
  }

  /** The worker opens the case on the device and the citizen presses; a 差评 gives its reasons. Answers the rating's id. */
  async rate(caseNo: string, level: 1 | 2 | 3 | 4 | 5): Promise<string> {
    const rt = this.program!.runtime!;
    const opened = await rt.openCaseInvitation({ inviteId: uuidv7(), caseNo, issuedAt: this.clock.iso() });
    if (!opened.accepted) throw new Error(`invitation for ${caseNo} not opened: ${JSON.stringify(opened)}`);
    const pressed = await rt.submit({ kind: 'press', level, source: 'test' });
    if (!pressed.accepted) throw new Error(`press for ${caseNo} refused: ${JSON.stringify(pressed)}`);
    const ratingId = pressed.ratingId!;
    if (level <= 2) {
      const d = await rt.addDetails({ ratingId, reasons: level === 1 ? [113] : [209], comment: '跑了好几趟', consent: false });
      if (!d.accepted) throw new Error(`details for ${caseNo} refused: ${JSON.stringify(d)}`);
    }
    return ratingId;
  }
}

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/**
 * Weeks offline: `count` ratings appended to a stopped device's chain, each a copy of its first
 * with its own ids and case number. Answers the bytes of their records as JSON (what goes up).
 */
export function appendOfflineRatings(device: VillageDevice, clock: DrillClock, count: number): number {
  const db = openDeviceDatabase(join(device.config.dataDir, 'device.db'));
  try {
    const store = new ChainStore(db, device.deviceId, createPrivateKey(readFileSync(join(device.config.dataDir, 'device-key.pem'))), () => clock.t);
    const from = store.headSeq();
    const first = JSON.parse((db.prepare('SELECT body FROM records WHERE seq = 1').get() as { body: string }).body) as RatingRecord;
    const { id: _i, deviceId: _d, seq: _s, prevHash: _p, hash: _h, sig: _g, ...rating } = first;
    db.transaction(() => {
      for (let i = 1; i <= count; i++) {
        store.append({ ...rating, id: uuidv7(), invitation: { ...rating.invitation, id: uuidv7(), caseNo: `OFF-${from + i}` } } as NewRecord);
      }
    })();
    return Buffer.byteLength(JSON.stringify(store.nextBatch(count, from)));
  } finally {
    db.close();
  }
}

/** How many of a device's records the gateway has stored. */
export async function storedRecords(gw: Gateway, deviceId: string): Promise<number> {
  const row = await gw.store.db
    .selectFrom('records')
    .select((e) => e.fn.countAll().as('n'))
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
