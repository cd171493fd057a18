/**
 * The device program's config: a JSON file (`--config`) plus environment overrides, validated once
 * at start with errors that name the field (STYLE.md §5). Optional features (`gateway`, `hardware`)
 * validate their own sections when they start.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DeviceIdSchema, describeZodError } from '../contract/index.js';
import { BootstrapSchema } from '../runtime/window-config.js';

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
    store: z.object({ maxSizeMiB: z.number().positive().optional() }).strict().default({}),
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
    gateway: z.unknown().optional(),
    hardware: z.unknown().optional(),
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

export function loadDeviceConfig(file: string, env: NodeJS.ProcessEnv = process.env): DeviceFileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config ${file}: must be a JSON object`);
  const merged = { ...(raw as Record<string, unknown>) };
  for (const [name, apply] of ENV_OVERRIDES) if (env[name] !== undefined) apply(merged, env[name]!);
  const parsed = DeviceFileConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`config ${file}: ${describeZodError(parsed.error)}`);
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir) };
}
