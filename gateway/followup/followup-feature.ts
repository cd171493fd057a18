/**
 * The follow-up of every 差评 as a gateway feature (RULES.md R12–R14; docs/FOLLOWUP.md). Always on
 * (the `followup` section has a default for every field): a hall whose kiosks promise
 * "我们会认真整改并回复" must follow each 差评 up. It
 *  - gives the registry the hall's contact key ring (contact-key.ts), so devices seal a consenting
 *    rater's call-back number to the key of the current epoch — before the broker listens, so no
 *    device is ever configured without it;
 *  - opens a follow-up for every 差评, whatever its channel, following the ratings ledger
 *    (followup-opener.ts) on every 'assessments-changed' and on the scheduler's timer;
 *  - runs the clockwork (followup-scheduler.ts): reminders, escalation, the contact purge, the
 *    key epochs;
 *  - serves the follow-up, appeal and call-back routes (followup-routes.ts).
 */
import { createChinaCalendar } from '../calendar/working-days.js';
import { ContactKeyRing } from '../contact-key.js';
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import type { Role } from '../http/console-auth.js';
import { AttachmentStore } from './attachment-store.js';
import { ContactEscrow } from './contact-escrow.js';
import { followupWriter } from './followup-writer.js';
import { FollowupAppeals } from './followup-appeals.js';
import { FollowupConfigSchema, type FollowupConfig } from './followup-config.js';
import { FollowupContact } from './followup-contact.js';
import { FollowupDeadlines } from './followup-deadlines.js';
import { FollowupExtensions } from './followup-extensions.js';
import { FollowupOpener } from './followup-opener.js';
import { followupRoutes } from './followup-routes.js';
import { FollowupScheduler } from './followup-scheduler.js';
import { FollowupSteps, type StepParts } from './followup-steps.js';
import { FollowupViews } from './followup-views.js';

export class FollowupFeature implements GatewayFeature {
  readonly ring: ContactKeyRing;
  readonly deadlines: FollowupDeadlines;
  readonly opener: FollowupOpener;
  readonly scheduler: FollowupScheduler;
  readonly views: FollowupViews;
  readonly routes;
  private unsubscribe: (() => void) | null = null;
  private opening: Promise<void> | null = null;
  private openAgain = false;
  private running = false;

  constructor(
    private readonly ctx: FeatureContext,
    readonly config: FollowupConfig,
  ) {
    const logger = ctx.logger;
    this.ring = new ContactKeyRing(ctx.dataDir, () => ctx.clock.now(), { epochDays: config.contact.keyEpochDays, graceDays: config.contact.keyGraceDays });
    ctx.registry.useContactKeys(() => this.ring.current());
    const calendar = createChinaCalendar(config.calendarOverrideFile ? { overrideFile: config.calendarOverrideFile } : {});
    this.deadlines = new FollowupDeadlines(calendar, config.deadlines, config.escalation.everyWorkingDays);
    const escrow = new ContactEscrow(this.ring, ctx.dataDir);
    const files = new AttachmentStore(ctx.dataDir, Math.round(config.attachmentMaxMiB * 1024 * 1024));
    const parts: StepParts = {
      db: ctx.store.db,
      writer: followupWriter({ store: ctx.store, clock: ctx.clock, audit: ctx.audit, events: ctx.events }),
      deadlines: this.deadlines,
      files,
      escrow,
      alerts: ctx.alerts,
      config,
    };
    this.opener = new FollowupOpener({ store: ctx.store, clock: ctx.clock, logger, escrow, deadlines: this.deadlines, routing: config.routing });
    this.scheduler = new FollowupScheduler({
      store: ctx.store,
      clock: ctx.clock,
      logger,
      alerts: ctx.alerts,
      events: ctx.events,
      deadlines: this.deadlines,
      escrow,
      ring: this.ring,
      registry: ctx.registry,
      devices: ctx.devices,
      config,
      // A 差评 the ledger took without an event reaching us (another worker) is opened within a tick.
      beforeTick: () => this.settle(),
    });
    this.views = new FollowupViews(ctx.store.db, () => ctx.clock.now(), config.remindBeforeHours * 3600_000);
    const approverRoles = [...new Set<Role>([...config.approvers.extension, ...config.approvers.writeOff])];
    this.routes = followupRoutes({
      auth: ctx.auth,
      db: ctx.store.db,
      steps: new FollowupSteps(parts),
      extensions: new FollowupExtensions(parts),
      appeals: new FollowupAppeals(parts),
      contact: new FollowupContact(parts),
      views: this.views,
      files,
      approverRoles,
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.ctx.events.on('assessments-changed', () => this.open());
    await this.settle();
    await this.scheduler.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.scheduler.stop();
    while (this.opening) await this.opening;
  }

  /** Resolves when every 差评 in the ledger so far has its follow-up. */
  async settle(): Promise<void> {
    while (this.opening) await this.opening;
    this.open();
    while (this.opening) await this.opening;
  }

  /** The ledger changed: open what is new. Coalesced, one run at a time. */
  private open(): void {
    if (!this.running) return;
    if (this.opening) {
      this.openAgain = true;
      return;
    }
    this.opening = this.openUntilDone().finally(() => (this.opening = null));
  }

  private async openUntilDone(): Promise<void> {
    do {
      this.openAgain = false;
      try {
        if ((await this.opener.drain()) > 0) this.ctx.events.emit('followups-changed', { by: 'followup' });
      } catch (err) {
        this.ctx.logger.error({ err }, 'opening follow-ups failed; will retry at the next change or tick');
        return;
      }
    } while (this.openAgain && this.running);
  }
}

export const followupFeature = defineFeature({
  name: 'followup',
  configKey: 'followup',
  configSchema: FollowupConfigSchema,
  migrations: [],
  create: (ctx, config) => new FollowupFeature(ctx, config),
});
