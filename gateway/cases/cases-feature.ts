/**
 * Cases from the windows' business systems as a gateway feature (R7, R9): their API, the
 * invitations to devices, and the R7 defaults. Always on: with no business-system key issued, the
 * API refuses every call (`gateway/main.ts create-business-key` issues one).
 */
import { z } from 'zod';
import { RATED_ELSEWHERE_REASON } from '@hcp/contract';
import { createChinaCalendar } from '../calendar/working-days.js';
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { CaseApiKeys } from './api-keys.js';
import { caseApiRoutes } from './case-api.js';
import { CASES_MIGRATIONS } from './cases-schema.js';
import { casesContactKey, ContactCipher } from './contact-crypto.js';
import { DefaultScheduler } from './default-scheduler.js';
import { InvitationDesk } from './invitations.js';

export const CasesConfigSchema = z
  .object({
    /** R7: working days before an unrated case counts as 基本满意. */
    workingDays: z.number().int().min(1).max(30).default(5),
    /** Holidays and make-up working days for years the calendar package lacks (calendar/working-days.ts). */
    calendarOverrideFile: z.string().optional(),
    /** How long an invitation may still reach a device that was offline (the citizen leaves the window). */
    invitationValidSec: z.number().int().min(10).max(86_400).default(300),
    /** How long POST /api/cases waits for the device's receipt before answering "queued". */
    answerWaitMs: z.number().int().min(0).max(10_000).default(2500),
    defaultsEveryMs: z.number().int().min(100).default(60_000),
  })
  .strict()
  .default({ workingDays: 5, invitationValidSec: 300, answerWaitMs: 2500, defaultsEveryMs: 60_000 });
export type CasesConfig = z.infer<typeof CasesConfigSchema>;

export class CasesFeature implements GatewayFeature {
  readonly keys: CaseApiKeys;
  readonly desk: InvitationDesk;
  readonly scheduler: DefaultScheduler;
  readonly routes;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly ctx: FeatureContext,
    config: CasesConfig,
    catchUp: () => Promise<void>,
  ) {
    // The feature's logger already carries ns: 'cases' (gateway.ts gives each feature its own).
    const logger = ctx.logger;
    this.keys = new CaseApiKeys(ctx.store);
    this.desk = new InvitationDesk({ store: ctx.store, devices: ctx.devices, events: ctx.events, clock: ctx.clock, logger, validSec: config.invitationValidSec });
    this.scheduler = new DefaultScheduler({
      store: ctx.store,
      clock: ctx.clock,
      logger,
      workingDays: config.workingDays,
      everyMs: config.defaultsEveryMs,
      catchUp,
      calendar: createChinaCalendar(config.calendarOverrideFile ? { overrideFile: config.calendarOverrideFile } : {}),
      onDefaulted: () => ctx.events.emit('assessments-changed', { by: 'defaults' }),
    });
    this.routes = caseApiRoutes({
      ctx,
      keys: this.keys,
      cipher: new ContactCipher(casesContactKey(ctx.dataDir)),
      desk: this.desk,
      scheduler: this.scheduler,
      settleMs: config.answerWaitMs,
    });
  }

  async start(): Promise<void> {
    // A case rated on a phone first: its invitation leaves the window device, which says so (issue 13).
    this.unsubscribe ??= this.ctx.events.on('case-rated', ({ caseNo }) =>
      this.desk.withdraw(caseNo, RATED_ELSEWHERE_REASON).catch((err: unknown) => this.ctx.logger.warn({ err, caseNo }, 'invitation of a case rated elsewhere not withdrawn')),
    );
    await this.desk.start();
    await this.scheduler.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.scheduler.stop();
    await this.desk.stop();
  }
}

export const casesFeature = defineFeature({
  name: 'cases',
  configKey: 'cases',
  configSchema: CasesConfigSchema,
  migrations: CASES_MIGRATIONS,
  create: (ctx, config) => new CasesFeature(ctx, config, () => ctx.catchUpAssessments()),
});
