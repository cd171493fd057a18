/**
 * The uplink's surroundings as the gateway gives them (gateway/feature.ts FeatureContext), built
 * from the real parts over a real store: event bus, Assessor, audit log, console auth, alert
 * board, a clock the test moves. Sender timings are shortened; nothing else is faked.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AlertBoard } from '../../../gateway/alerts/alert-board.js';
import { AuditLog } from '../../../gateway/audit/audit-log.js';
import { TypedEventBus } from '../../../gateway/events/event-bus.js';
import type { GatewayEvents } from '../../../gateway/feature.js';
import { ConsoleAuth } from '../../../gateway/http/console-auth.js';
import { Assessor } from '../../../gateway/ratings/assessor.js';
import type { GatewayStore } from '../../../gateway/store/database.js';
import type { ProvinceAdapter } from '../../../gateway/uplink/adapter.js';
import type { OutboxSettings } from '../../../gateway/uplink/provinces/index.js';
import { ReferenceConfigSchema } from '../../../gateway/uplink/provinces/reference/config.js';
import { ReferenceAdapter } from '../../../gateway/uplink/provinces/reference/reference-adapter.js';
import { UplinkFeature, type UplinkParts } from '../../../gateway/uplink/uplink-feature.js';
import { ProvinceSim } from '../../../scripts/province-sim/sim-server.js';
import { giveCaseDefault, openTestStore, silent, TestClock } from './fixtures.js';

export const SIM_KEY = 'test-shared-key-0123456789';

export function referenceAdapter(sim: ProvinceSim, o: { key?: string; timeoutMs?: number; pf?: Record<string, number> } = {}): ReferenceAdapter {
  return new ReferenceAdapter(
    ReferenceConfigSchema.parse({
      adapter: 'reference',
      url: `${sim.url}/province/ratings`,
      appId: 'hall-1',
      key: o.key ?? SIM_KEY,
      areaCode: '131000',
      deptCode: 'LF-01',
      timeoutMs: o.timeoutMs ?? 2000,
      ...(o.pf ? { pf: o.pf } : {}),
    }),
  );
}

export interface UplinkOptions {
  outbox?: Partial<OutboxSettings>;
  sending?: UplinkParts['sending'];
  /** Where the feature logs (silent unless given). */
  logger?: Logger;
}

export class UplinkRig {
  readonly events = new TypedEventBus<GatewayEvents>(silent);
  readonly audit: AuditLog;
  readonly auth: ConsoleAuth;
  readonly alerts: AlertBoard;
  readonly assessor: Assessor;
  private readonly features: UplinkFeature[] = [];
  private readonly simulators: ProvinceSim[] = [];

  private constructor(
    readonly dir: string,
    readonly store: GatewayStore,
    readonly clock: TestClock,
  ) {
    this.audit = new AuditLog(store, clock);
    this.auth = new ConsoleAuth(store, clock, this.audit);
    this.alerts = new AlertBoard(store, clock, silent);
    this.assessor = new Assessor(store, clock, silent, () => this.events.emit('assessments-changed', { by: 'assessor' }));
  }

  static async open(clock = new TestClock()): Promise<UplinkRig> {
    const dir = mkdtempSync(join(tmpdir(), 'uplink-'));
    return new UplinkRig(dir, await openTestStore(join(dir, 'gateway.db')), clock);
  }

  get file(): string {
    return join(this.dir, 'gateway.db');
  }

  /** Assess every stored record; the ledger announces its changes, as in the gateway. */
  assess(): Promise<void> {
    return this.assessor.catchUp();
  }

  /** R7 for a case, as the default scheduler does it (and announces it). */
  async giveDefault(caseNo: string, at = new Date(this.clock.now())): Promise<void> {
    if (await giveCaseDefault(this.store, caseNo, at)) this.events.emit('assessments-changed', { by: 'defaults' });
  }

  uplink(adapter: ProvinceAdapter, o: UplinkOptions = {}): UplinkFeature {
    const f = new UplinkFeature({
      store: this.store,
      clock: this.clock,
      logger: o.logger ?? silent,
      events: this.events,
      adapter,
      guard: this.auth.require('hall-it'),
      audit: this.audit,
      alerts: this.alerts,
      outbox: { pumpEveryMs: 50, batchSize: 50, concurrency: 3, ...o.outbox },
      sending: { baseBackoffMs: 20, maxBackoffMs: 200, idleMs: 20, ...o.sending },
    });
    this.features.push(f);
    return f;
  }

  async outboxStates(): Promise<Record<string, number>> {
    const rows = await this.store.db
      .selectFrom('uplink_outbox')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** The province simulator over loopback, its database in the rig's folder, started; `close` stops it. */
  async startSimulator(): Promise<ProvinceSim> {
    const sim = new ProvinceSim({ key: SIM_KEY, dbFile: join(this.dir, 'province.db') });
    await sim.start();
    this.simulators.push(sim);
    return sim;
  }

  async close(): Promise<void> {
    for (const f of this.features.splice(0)) await f.stop();
    await this.store.close();
    for (const sim of this.simulators.splice(0)) await sim.stop();
  }
}
