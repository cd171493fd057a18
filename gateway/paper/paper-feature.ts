/**
 * Paper 评议卡 as a gateway feature (RULES.md R6; docs/PAPER.md). Always on (the `paper` section has
 * a default for every field): hall staff print cards with serials and QR codes for a window, and
 * enter the filled ones in the console within `paper.entryWorkingDays` working days; each becomes a
 * rating in the ledger like any other (channel `paper-card`), which the uplink sends, the 差评
 * follow-up opens, and the reports count. Nothing runs in the background.
 */
import { createChinaCalendar } from '../calendar/working-days.js';
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { PaperBatches } from './paper-batches.js';
import { PaperConfigSchema, type PaperConfig } from './paper-config.js';
import { PaperEntries } from './paper-entries.js';
import { paperRoutes } from './paper-routes.js';
import { PAPER_MIGRATIONS } from './paper-schema.js';

export class PaperFeature implements GatewayFeature {
  readonly batches: PaperBatches;
  readonly entries: PaperEntries;
  readonly routes;

  constructor(ctx: FeatureContext, config: PaperConfig) {
    const calendar = createChinaCalendar(config.calendarOverrideFile ? { overrideFile: config.calendarOverrideFile } : {});
    this.batches = new PaperBatches({ store: ctx.store, clock: ctx.clock, audit: ctx.audit, hall: ctx.hall, maxBatchCards: config.maxBatchCards, pdfFont: config.pdfFont });
    this.entries = new PaperEntries({
      store: ctx.store,
      clock: ctx.clock,
      audit: ctx.audit,
      events: ctx.events,
      hall: ctx.hall,
      calendar,
      entryWorkingDays: config.entryWorkingDays,
    });
    this.routes = paperRoutes({ auth: ctx.auth, batches: this.batches, entries: this.entries, entryWorkingDays: config.entryWorkingDays });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}
}

export const paperFeature = defineFeature({
  name: 'paper',
  configKey: 'paper',
  configSchema: PaperConfigSchema,
  migrations: PAPER_MIGRATIONS,
  create: (ctx, config) => new PaperFeature(ctx, config),
});
