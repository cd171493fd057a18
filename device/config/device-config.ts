/**
 * The device program's config: a JSON file (`--config`) plus environment overrides, validated once
 * at start — every section, the optional features' too — with errors that name the field
 * (`gateway.mqttUrl: …`, docs/STYLE.md §5), before anything listens. Each feature's section schema lives
 * with the feature (device/sync/sync-config.ts, device/hardware/hardware-config.ts,
 * device/receipt/receipt-config.ts).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DeviceIdSchema, describeZodError } from '../contract/index.js';
import { HardwareSectionSchema } from '../hardware/hardware-config.js';
import { ReceiptSectionSchema } from '../receipt/receipt-config.js';
import { BootstrapSchema } from '../runtime/window-config.js';
import { GatewaySectionSchema } from '../sync/sync-config.js';

export const StoreSectionSchema = z
  .object({
    /** Cap the store's size (small flash): past it a rating is refused as storage-full. */
    maxSizeMiB: z.number().positive().optional(),
    /**
     * Records the gateway has acknowledged are pruned once older than this (days); unacknowledged
     * and rejected records never are. 0 prunes as soon as acknowledged (tests and drills).
     */
    retainDays: z.number().min(0).max(3650).default(30),
  })
  .strict();

export const DeviceFileConfigSchema = z
  .object({
    deviceId: DeviceIdSchema,
    dataDir: z.string().min(1),
    localApi: z
      .object({
        port: z.number().int().min(0).max(65535).default(8765),
        /** The kiosk UI's static files; served at `/`. */
        staticDir: z.string().optional(),
      })
      .strict()
      .default({ port: 8765 }),
    invitationTimeoutSec: z.number().int().min(10).max(3600).default(120),
    detailsTimeoutSec: z.number().min(1).max(600).default(60),
    thanksTimeoutSec: z.number().min(1).max(60).default(4),
    store: StoreSectionSchema.default({ retainDays: 30 }),
    bootstrap: BootstrapSchema,
    simulator: z
      .object({
        enabled: z.boolean().default(true),
        /** Citizens served per minute at this simulated window. */
        ratingsPerMinute: z.number().positive().max(6000).default(6),
        badBadgeUid: z.string().optional(),
      })
      .strict()
      .optional(),
    gateway: GatewaySectionSchema.optional(),
    hardware: HardwareSectionSchema.optional(),
    /** A receipt after each rating on an ESC/POS printer (docs/RECEIPTS.md). */
    receipt: ReceiptSectionSchema.optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();
export type DeviceFileConfig = z.infer<typeof DeviceFileConfigSchema>;

export class ConfigError extends Error {}

/** Environment overrides, for the fields hall IT most often changes per device. */
const ENV_OVERRIDES: Array<[env: string, apply: (c: Record<string, unknown>, v: string) => void]> = [
  ['HCP_DEVICE_ID', (c, v) => (c.deviceId = v)],
  ['HCP_DATA_DIR', (c, v) => (c.dataDir = v)],
  ['HCP_LOCAL_API_PORT', (c, v) => (c.localApi = { ...(c.localApi as object), port: Number(v) })],
  ['HCP_LOG_LEVEL', (c, v) => (c.logLevel = v)],
];

/** Validate a parsed config object (with the environment's overrides); `source` names it in errors. */
export function parseDeviceConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source = 'config'): DeviceFileConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${source}: must be a JSON object`);
  const merged = { ...(raw as Record<string, unknown>) };
  for (const [name, apply] of ENV_OVERRIDES) if (env[name] !== undefined) apply(merged, env[name]!);
  const parsed = DeviceFileConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`${source}: ${describeZodError(parsed.error)}`);
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir) };
}

export function loadDeviceConfig(file: string, env: NodeJS.ProcessEnv = process.env): DeviceFileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  const config = parseDeviceConfig(raw, env, `config ${file}`);
  // Files the config names are checked now too, not at the first connection hours later.
  const ca = config.gateway?.caFile;
  if (ca !== undefined) {
    try {
      accessSync(ca, constants.R_OK);
    } catch {
      throw new ConfigError(`config ${file}: gateway.caFile: cannot read ${ca}`);
    }
  }
  return config;
}
