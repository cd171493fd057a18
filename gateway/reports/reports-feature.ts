/**
 * The reports as a gateway feature (docs/REPORTS.md; RULES.md R15–R17): always on (the `reports`
 * section has defaults). On a timer of the gateway's Clock it makes the reports the schedule has
 * made due and checks published periods for changes; a follow-up change (a write-off is one) or a
 * ledger change makes it check soon, coalesced. Routes: reports-routes.ts.
 */
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { ReportDesk } from './report-desk.js';
import { ReportsConfigSchema, type ReportsConfig } from './reports-config.js';
import { reportsRoutes } from './reports-routes.js';
import { REPORTS_MIGRATIONS } from './reports-schema.js';
import { leasesOf } from '../workers/job-lease.js';

/** After a change event, wait this long for more before checking (a write-off burst is one check). */
const SETTLE_MS = 2000;

export class ReportsFeature implements GatewayFeature {
  readonly desk: ReportDesk;
  readonly routes;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private unsubscribe: Array<() => void> = [];
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly config: ReportsConfig,
  ) {
    this.desk = new ReportDesk({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, config, hallName: ctx.hall.hallName, goodLevels: ctx.hall.goodLevels });
    this.routes = reportsRoutes({ desk: this.desk, auth: ctx.auth, audit: ctx.audit, pdfFont: config.pdfFont });
  }

  async start(): Promise<void> {
    if (this.timer) return;
    // Several workers: the one holding the lease generates reports.
    const here = () => leasesOf(this.ctx.store).holds('reports');
    this.timer = setInterval(() => {
      if (here()) void this.run(() => this.desk.tick());
    }, this.config.checkEveryMs);
    this.timer.unref();
    const later = () => this.checkSoon();
    this.unsubscribe = [this.ctx.events.on('followups-changed', later), this.ctx.events.on('assessments-changed', later)];
    if (here()) void this.run(() => this.desk.tick());
  }

  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    if (this.soon) clearTimeout(this.soon);
    this.soon = null;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    while (this.running) await this.running;
  }

  /** Wait for the schedule's and the checks' work in flight (tests, drills). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  private checkSoon(): void {
    if (this.soon || !this.timer) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      if (leasesOf(this.ctx.store).holds('reports')) void this.run(() => this.desk.recheck());
    }, SETTLE_MS);
    this.soon.unref();
  }

  private run(fn: () => Promise<unknown>): Promise<unknown> {
    const r = fn()
      .catch((err: unknown) => this.ctx.logger.error({ err }, 'report run failed; the next tick tries again'))
      .finally(() => {
        if (this.running === r) this.running = null;
      });
    this.running = r;
    return r;
  }
}

export const reportsFeature = defineFeature({
  name: 'reports',
  configKey: 'reports',
  configSchema: ReportsConfigSchema,
  migrations: REPORTS_MIGRATIONS,
  create: (ctx, config) => new ReportsFeature(ctx, config),
});
