/**
 * SMS invitations as a gateway feature (R8, docs/SMS.md): on when the config has an `sms`
 * section. A case that ends unrated gets one SMS with a link to the phone rating page, after
 * `delayHours`, outside quiet hours, if the business system gave a number with consent.
 * Refuses to start without hall.qrBaseUrl: an SMS with a dead link is a broken promise.
 */
import { ConfigError } from '../config/gateway-config.js';
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { RepeatedFailure } from '../log/repeated-failure.js';
import type { SmsNotifier } from './notifier.js';
import { SmsOutbox } from './outbox.js';
import { SmsResolver } from './outbox-resolve.js';
import { createSmsNotifier } from './providers/index.js';
import { SmsConfigSchema, type SmsConfig } from './sms-config.js';
import { casesContactKey } from '../cases/contact-crypto.js';
import { SmsContacts } from './sms-contacts.js';
import { smsRoutes } from './sms-routes.js';
import { SMS_MIGRATIONS } from './sms-schema.js';

/**
 * At most one line this often while the outbox's passes fail (RepeatedFailure): a pass runs every
 * `tickMs` (5 s) on every worker, and while the database is gone each fails.
 */
export const SMS_PASS_FAILURES_LOG_MS = 30_000;

export class SmsFeature implements GatewayFeature {
  readonly outbox: SmsOutbox;
  readonly resolver: SmsResolver;
  readonly routes;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly passes: RepeatedFailure;

  constructor(
    ctx: FeatureContext,
    private readonly config: SmsConfig,
    notifier: SmsNotifier = createSmsNotifier(config.provider, config.requestTimeoutMs),
  ) {
    const qrBaseUrl = ctx.hall.qrBaseUrl;
    if (!qrBaseUrl)
      throw new ConfigError(
        'sms: hall.qrBaseUrl is not set. An SMS invitation links to the phone rating page at that public address; set hall.qrBaseUrl or remove the sms section.',
      );
    this.passes = new RepeatedFailure(ctx.logger, {
      msg: 'sms outbox pass failed; the next pass tries again',
      recovered: 'sms outbox passes work again',
      everyMs: SMS_PASS_FAILURES_LOG_MS,
      level: 'error',
    });
    const contacts = new SmsContacts(ctx.store, ctx.audit, casesContactKey(ctx.dataDir));
    this.outbox = new SmsOutbox({ store: ctx.store, clock: ctx.clock, notifier, contacts, config, hallName: ctx.hall.hallName, qrBaseUrl, logger: ctx.logger });
    this.resolver = new SmsResolver(this.outbox, notifier, contacts, ctx.clock);
    this.routes = smsRoutes({
      token: config.callbackToken,
      notifier,
      resolver: this.resolver,
      logger: ctx.logger,
      replies: { store: ctx.store, clock: ctx.clock, contacts, events: ctx.events, catalogueVersion: ctx.hall.catalogueVersion, logger: ctx.logger },
    });
  }

  /** One pass: find new cases, close what closed, send and ask what is due. Tests and drills call it. */
  async tick(): Promise<void> {
    await this.outbox.discover();
    await this.outbox.sweep();
    for (const row of await this.outbox.due()) {
      if (row.state === 'scheduled') await this.outbox.sendOne(row);
      else await this.resolver.resolveUnknown(row);
    }
    await this.outbox.sweep();
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .then(
          () => this.passes.succeed(),
          (err: Error) => this.passes.fail({ err: err.message }),
        )
        .finally(() => {
          this.running = null;
        });
    }, this.config.tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

export const smsFeature = defineFeature({
  name: 'sms',
  configKey: 'sms',
  configSchema: SmsConfigSchema,
  migrations: SMS_MIGRATIONS,
  create: (ctx, config) => new SmsFeature(ctx, config),
});
