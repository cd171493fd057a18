/**
 * What a gateway feature is, and the narrow context it is built with (docs/DESIGN.md "The
 * gateway's shape"). The root validates each feature's config section with the rest of the config,
 * runs every migration, builds the features with this context, registers their routes, listens,
 * and only then starts them; stop() runs in reverse. Features never reach into the root.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { InviteReceipt } from '@hcp/contract';
import type { AlertBoard } from './alerts/alert-board.js';
import type { AuditLog } from './audit/audit-log.js';
import type { TypedEventBus } from './events/event-bus.js';
import type { ConsoleAuth } from './http/console-auth.js';
import type { Registry } from './registry/registry.js';
import type { GatewayStore } from './store/database.js';
import type { GatewayMigration } from './store/migrations.js';

/** The gateway's one clock: features never read Date.now() themselves, so drills can move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface GatewayEvents {
  /** Ingest committed records of these devices (after the commit). */
  'records-stored': { deviceIds: string[]; count: number };
  /** New entries in assessment_log (the uplink and the console follow the log itself). */
  'assessments-changed': { by: 'assessor' | 'defaults' | 'channel' };
  /** A device's connection was accepted (its key proven where the broker checks it). */
  'device-online': { deviceId: string };
  'device-offline': { deviceId: string };
  'invite-receipt': { deviceId: string; receipt: InviteReceipt };
  /** A case was rated through a channel other than its window device (phone, SMS): its invitation on the device is withdrawn. */
  'case-rated': { caseNo: string; channel: string };
  /** New entries in followup_events (the uplink sends rectification records from them). */
  'followups-changed': { by: 'followup' };
}

export type GatewayEventBus = TypedEventBus<GatewayEvents>;

/** Messages down to one device. */
export interface DeviceChannel {
  /** Publish on the device's own topic (QoS 1); rejects when the broker link is down. */
  send(deviceId: string, kind: 'config' | 'invite', payload: unknown): Promise<void>;
}

export interface HallSettings {
  hallName: string;
  catalogueVersion: string;
  invitationTimeoutSec: number;
  qrBaseUrl?: string | undefined;
  goodLevels: number[];
}

export interface FeatureContext {
  store: GatewayStore;
  registry: Registry;
  devices: DeviceChannel;
  events: GatewayEventBus;
  auth: ConsoleAuth;
  alerts: AlertBoard;
  audit: AuditLog;
  logger: Logger;
  clock: Clock;
  hall: HallSettings;
  /** The gateway's data directory (keys and files of its own live here). */
  dataDir: string;
  /** Assess every record stored so far (the ratings ledger lags ingest by a moment). */
  catchUpAssessments(): Promise<void>;
}

export interface GatewayFeature {
  /** Registered before the gateway listens: everything the routes need exists already. */
  routes?: FastifyPluginAsync;
  /** Start background work. Idempotent. */
  start(): Promise<void>;
  /** Stop it; removes every timer and listener it made. Idempotent. */
  stop(): Promise<void>;
}

export interface FeatureDefinition<C = unknown> {
  name: string;
  /** The config section it reads. */
  configKey: string;
  /**
   * Validated at start with the rest of the config. A schema that accepts `undefined` (has a
   * default) makes the feature always on; otherwise it runs only when its section is present.
   */
  configSchema: z.ZodType<C>;
  /** Run whether or not the feature is on, so enabling it later finds its tables. */
  migrations: GatewayMigration[];
  create(ctx: FeatureContext, config: C): GatewayFeature;
}

/** Keeps the config type of each definition while listing them together. */
export function defineFeature<C>(def: FeatureDefinition<C>): FeatureDefinition<C> {
  return def;
}
