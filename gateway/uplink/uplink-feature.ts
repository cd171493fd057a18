/**
 * The provincial uplink as a gateway feature (gateway/feature.ts): on when the config has a
 * `province` section (provinces/index.ts says what goes in it). It follows the ratings ledger into
 * the outbox (enqueue.ts) whenever the ledger changes and on a timer (held 差评 fall due with no
 * event), sends the outbox (sender.ts), and serves hall IT's dead letters (dead-letters.ts).
 * Alerts: dead letters waiting, and a province that has not answered for a while (R19).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AlertBoard } from '../alerts/alert-board.js';
import type { AuditLog } from '../audit/audit-log.js';
import { defineFeature, type Clock, type GatewayEventBus, type GatewayFeature } from '../feature.js';
import { RepeatedFailure } from '../log/repeated-failure.js';
import type { GatewayStore } from '../store/database.js';
import type { ProvinceAdapter } from './adapter.js';
import { DeadLetters, deadLetterRoutes } from './dead-letters.js';
import { UplinkEnqueuer } from './enqueue.js';
import { createProvinceAdapter, OutboxSettingsSchema, ProvinceConfigSchema, type OutboxSettings } from './provinces/index.js';
import { RectificationEnqueuer } from './rectification-enqueue.js';
import { OUTBOX_READ_FAILURES_LOG_MS, UplinkSender, type SenderOptions } from './sender.js';
import { UPLINK_MIGRATIONS } from './uplink-schema.js';
import { leasesOf } from '../workers/job-lease.js';

/** Raise the "province unreachable" alert after this long without an answer. */
const UNREACHABLE_ALERT_MS = 15 * 60_000;

export interface UplinkParts {
  store: GatewayStore;
  clock: Clock;
  logger: Logger;
  events: GatewayEventBus;
  adapter: ProvinceAdapter;
  /** Guards the dead-letter routes (hall IT). */
  guard: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  audit: AuditLog;
  alerts?: AlertBoard;
  outbox?: Partial<OutboxSettings>;
  /** Backoff, sleep and polling for drills and tests; batchSize and concurrency come from `outbox`. */
  sending?: Omit<SenderOptions, 'batchSize' | 'concurrency' | 'maxItemAttempts' | 'onDeadLettered' | 'onRequest'>;
}

export class UplinkFeature implements GatewayFeature {
  readonly deadLetters: DeadLetters;
  readonly enqueuer: UplinkEnqueuer;
  /** The follow-ups' records of 差评, for a province that takes them (rectification-enqueue.ts). */
  readonly rectifications: RectificationEnqueuer;
  readonly sender: UplinkSender;
  readonly routes;
  private readonly settings: OutboxSettings;
  private readonly log: Logger;
  /** Pumps failing at every tick while the database is gone: one line, then one every 30 s. */
  private readonly pumps: RepeatedFailure;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: Array<() => void> = [];
  private pumping: Promise<void> | null = null;
  private again = false;
  private running = false;
  private failingSince: number | null = null;
  private unreachableRaised = false;

  constructor(private readonly p: UplinkParts) {
    this.settings = OutboxSettingsSchema.parse(p.outbox ?? {});
    this.log = p.logger;
    this.pumps = new RepeatedFailure(p.logger, {
      msg: 'uplink enqueue failed; will retry',
      recovered: 'uplink enqueue works again',
      everyMs: OUTBOX_READ_FAILURES_LOG_MS,
      level: 'error',
    });
    this.deadLetters = new DeadLetters(p.store);
    this.enqueuer = new UplinkEnqueuer(p.store, { clock: p.clock, logger: p.logger, holdMs: this.settings.holdMs, chunk: this.settings.enqueueChunk });
    this.rectifications = new RectificationEnqueuer(p.store, { clock: p.clock, logger: p.logger, enabled: typeof p.adapter.submitRectifications === 'function' });
    this.sender = new UplinkSender(p.store, p.adapter, p.logger, p.clock, {
      baseBackoffMs: this.settings.retryBaseMs,
      maxBackoffMs: this.settings.retryMaxMs,
      ...p.sending,
      batchSize: this.settings.batchSize,
      concurrency: this.settings.concurrency,
      maxItemAttempts: this.settings.maxItemAttempts,
      onDeadLettered: () => void this.deadLetterAlert(),
      onRequest: (answered, reason) => void this.reachability(answered, reason),
    });
    this.routes = deadLetterRoutes(this.deadLetters, {
      preHandler: p.guard,
      audit: p.audit,
      onRetry: () => {
        this.sender.poke();
        void this.deadLetterAlert();
      },
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // Several workers: the one holding the lease moves the ledger into the outbox (every worker sends).
    const pumpHere = () => {
      if (leasesOf(this.p.store).holds('uplink-pump')) this.pump();
    };
    this.unsubscribe = [this.p.events.on('assessments-changed', pumpHere), this.p.events.on('followups-changed', pumpHere)];
    this.timer = setInterval(pumpHere, this.settings.pumpEveryMs);
    this.timer.unref();
    pumpHere();
    this.sender.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.pumping) await this.pumping;
    await this.sender.stop();
  }

  /** The ledger changed (or a held 差评 may be due): enqueue soon. Coalesced; one run at a time. */
  pump(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pumpUntilDone().finally(() => (this.pumping = null));
  }

  /** Resolves when every ledger change so far is in the outbox (or held). */
  async settle(): Promise<void> {
    while (this.pumping) await this.pumping;
    this.pump();
    while (this.pumping) await this.pumping;
  }

  /**
   * Enqueue in chunks, yielding between them, so a large backlog (a village point back after weeks)
   * is sent while it is still being enqueued and the event loop stays responsive.
   */
  private async pumpUntilDone(): Promise<void> {
    do {
      this.again = false;
      try {
        for (let n = await this.enqueuer.pump(); ; n = await this.enqueuer.pump()) {
          this.sender.poke();
          if (n === 0 || !this.running) break;
          await new Promise((r) => setImmediate(r));
        }
        // After the ratings: a follow-up's record waits for its rating's row.
        while ((await this.rectifications.pump()) > 0 && this.running) this.sender.poke();
        this.pumps.succeed();
      } catch (err) {
        this.pumps.fail({ err });
        return;
      }
    } while (this.again && this.running);
  }

  private async deadLetterAlert(): Promise<void> {
    if (!this.p.alerts) return;
    try {
      const n = await this.deadLetters.count();
      if (n > 0) await this.p.alerts.raise('uplink-dead-letters', 'province', `${n} item(s) the province refused for good wait for hall IT (GET /api/uplink/dead-letters)`);
      else await this.p.alerts.clear('uplink-dead-letters', 'province');
    } catch (err) {
      this.log.warn({ err }, 'dead-letter alert not updated');
    }
  }

  private async reachability(answered: boolean, reason?: string): Promise<void> {
    if (!this.p.alerts) return;
    const now = this.p.clock.now();
    try {
      if (answered) {
        this.failingSince = null;
        if (this.unreachableRaised) {
          this.unreachableRaised = false;
          await this.p.alerts.clear('uplink-province-unreachable', 'province');
        }
        return;
      }
      this.failingSince ??= now;
      if (!this.unreachableRaised && now - this.failingSince >= UNREACHABLE_ALERT_MS) {
        this.unreachableRaised = true;
        await this.p.alerts.raise(
          'uplink-province-unreachable',
          'province',
          `the provincial system has not answered since ${new Date(this.failingSince).toISOString()}; ratings wait in the outbox (last: ${reason ?? 'no reason'})`,
        );
      }
    } catch (err) {
      this.log.warn({ err }, 'province alert not updated');
    }
  }
}

export const uplinkFeature = defineFeature({
  name: 'uplink',
  configKey: 'province',
  configSchema: ProvinceConfigSchema,
  migrations: UPLINK_MIGRATIONS,
  create: (ctx, config) =>
    new UplinkFeature({
      store: ctx.store,
      clock: ctx.clock,
      // The feature's logger already carries ns: 'uplink' (gateway.ts gives each feature its own).
      logger: ctx.logger,
      events: ctx.events,
      adapter: createProvinceAdapter(config),
      guard: ctx.auth.require('hall-it'),
      audit: ctx.audit,
      alerts: ctx.alerts,
      outbox: config.outbox,
    }),
});
