/**
 * Rating by phone behind the kiosks' QR codes (issue 13, R8) as a gateway feature: the pages
 * (phone-routes.ts), their abuse limits (phone-guard.ts), and the check that phones can reach them
 * at all (phone-reach.ts). Always on; without hall.qrBaseUrl the kiosks show no code, the pages
 * still answer (links in SMS use them) and nothing is probed.
 */
import { z } from 'zod';
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { PhoneGuard } from './phone-guard.js';
import { PhoneReach } from './phone-reach.js';
import { phoneRoutes } from './phone-routes.js';
import { PHONE_MIGRATIONS } from './phone-schema.js';

export const PhoneConfigSchema = z
  .object({
    /** One rating per window per browser per this many minutes. */
    browserMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** Static-code ratings per source address per window per hour. */
    addressPerHour: z.number().int().min(1).max(10_000).default(10),
    /** Static-code ratings of one window in 10 minutes from which new ones are flagged `qr-burst`. */
    burstPer10Min: z.number().int().min(2).max(10_000).default(20),
    /** How long after the invitation a per-case code still opens its case. */
    caseCodeValidHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(72),
    /** A reverse proxy in front passes the phone's address in X-Forwarded-For (its last entry). */
    trustForwardedFor: z.boolean().default(false),
    /**
     * Check that phones reach the public address, and hide the kiosks' codes while they do not. Off
     * only where the gateway cannot reach its own public address though phones can (a router without
     * hairpin NAT): then nothing watches the address, and hall IT must.
     */
    checkReachability: z.boolean().default(true),
    /** How often the gateway checks that phones reach its public address. */
    probeEveryMs: z.number().int().min(1000).default(300_000),
    probeTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
    pruneEveryMs: z.number().int().min(1000).default(600_000),
  })
  .strict()
  .prefault({});
export type PhoneConfig = z.infer<typeof PhoneConfigSchema>;

/** The path part of the public address ('' when it is a bare origin). */
export function publicPrefix(qrBaseUrl: string | undefined): string {
  if (!qrBaseUrl) return '';
  return new URL(qrBaseUrl).pathname.replace(/\/+$/, '');
}

export class PhoneFeature implements GatewayFeature {
  readonly guard: PhoneGuard;
  /** Null when the hall has no public address, or the check is off. */
  readonly reach: PhoneReach | null;
  readonly routes;
  private pruner: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly config: PhoneConfig,
  ) {
    this.guard = new PhoneGuard(ctx.store, ctx.clock, config);
    const base = ctx.hall.qrBaseUrl;
    this.reach =
      base && config.checkReachability
        ? new PhoneReach({
            qrBaseUrl: base,
            alerts: ctx.alerts,
            logger: ctx.logger,
            everyMs: config.probeEveryMs,
            timeoutMs: config.probeTimeoutMs,
            changed: () => this.resendConfigs(),
          })
        : null;
    const reach = this.reach;
    if (reach) ctx.registry.usePhoneReachability(() => reach.phonesReach);
    this.routes = phoneRoutes({
      ctx,
      guard: this.guard,
      prefix: publicPrefix(base),
      caseCodeValidMs: config.caseCodeValidHours * 3600_000,
      trustForwardedFor: config.trustForwardedFor,
      secureCookies: base?.startsWith('https:') ?? false,
    });
  }

  /** Every device gets its config again: with the codes or without them. */
  private async resendConfigs(): Promise<void> {
    for (const id of await this.ctx.registry.deviceIds(null)) {
      const config = await this.ctx.registry.configFor(id);
      if (config) await this.ctx.devices.send(id, 'config', config).catch(() => undefined);
    }
  }

  async start(): Promise<void> {
    this.reach?.start();
    if (this.pruner) return;
    this.pruner = setInterval(() => void this.guard.prune().catch((err: unknown) => this.ctx.logger.warn({ err }, 'phone limits not pruned')), this.config.pruneEveryMs);
    this.pruner.unref();
  }

  async stop(): Promise<void> {
    if (this.pruner) clearInterval(this.pruner);
    this.pruner = null;
    await this.reach?.stop();
  }
}

export const phoneFeature = defineFeature({
  name: 'phone',
  configKey: 'phone',
  configSchema: PhoneConfigSchema,
  migrations: PHONE_MIGRATIONS,
  create: (ctx, config) => new PhoneFeature(ctx, config),
});
