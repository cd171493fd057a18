/**
 * The gateway's config file: the core sections and each feature's own section, validated once at
 * start before anything listens (issue 10, hole 11). Errors name the field and say what is wrong;
 * they never come as a stack trace. Every field named `…File` is a path: a relative one is taken
 * from the config file's folder, and the file must be readable (the ones the gateway writes, such
 * as Mosquitto's password file, need only their folder).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { CURRENT_CATALOGUE_VERSION, describeZodError } from '@hcp/contract';
import { WatchConfigSchema } from '../devices/watch-config.js';
import type { FeatureDefinition } from '../feature.js';

const TlsSchema = z.object({ keyFile: z.string().min(1), certFile: z.string().min(1), caFile: z.string().min(1).optional() }).strict();

const CoreShape = {
  dataDir: z.string().min(1),
  http: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** HTTPS with the hall's certificate: enrolment hands out MQTT passwords, logins carry passwords. */
      tls: TlsSchema.optional(),
      /** Plain HTTP off loopback must be asked for by name, like plain MQTT. */
      allowPlainHttp: z.boolean().default(false),
      /** The address devices use for this API (provisioning sheets print it); default: the host the console reached. */
      publicUrl: z
        .string()
        .regex(/^https?:\/\/[^/]+$/, 'must be http(s)://host:port')
        .optional(),
    })
    .strict()
    .default({ host: '127.0.0.1', port: 8080, allowPlainHttp: false }),
  mqtt: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(1883),
      tls: TlsSchema.optional(),
      /** Plain MQTT off loopback must be asked for by name: credentials would cross the hall LAN in clear. */
      allowPlainTcp: z.boolean().default(false),
      /** The broker address devices use (provisioning sheets print it); default: the console's host with this port, or the site broker's url. */
      publicUrl: z
        .string()
        .regex(/^mqtts?:\/\/[^/]+$/, 'must be mqtt(s)://host:port')
        .optional(),
      /**
       * Devices prove their enrolled key at every connection (a signed one-time nonce). Only an
       * external broker, which checks passwords itself, works without it.
       */
      requireKeyProof: z.boolean().default(true),
      /** Use a site's broker (Mosquitto, EMQX) instead of the embedded aedes. */
      external: z
        .object({
          url: z.string().regex(/^mqtts?:\/\/[^/]+$/, 'must be mqtt://host:port or mqtts://host:port'),
          username: z.string().min(1),
          password: z.string().min(12),
          caFile: z.string().optional(),
          passwordFile: z.string().optional(),
          aclFile: z.string().optional(),
          reloadCommand: z.array(z.string()).min(1).optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .default({ host: '127.0.0.1', port: 1883, allowPlainTcp: false, requireKeyProof: true }),
  hall: z
    .object({
      hallName: z.string().min(1).max(100),
      catalogueVersion: z.string().default(CURRENT_CATALOGUE_VERSION),
      invitationTimeoutSec: z.number().int().min(10).max(3600).default(120),
      qrBaseUrl: z.string().url().optional(),
      /** The "good" levels of 好评率 (a provincial setting; docs/NATIONAL-SPEC.md "the measures"). */
      goodLevels: z.array(z.number().int().min(1).max(5)).min(1).max(5).default([5, 4, 3]),
    })
    .strict(),
  /** Opening hours and the thresholds of the device and security alerts (gateway/devices/watch-config.ts). */
  watch: WatchConfigSchema,
  /**
   * Where the gateway keeps its data: SQLite (the default, one file in dataDir: one hall) or a
   * PostgreSQL server (a city's gateway workers share it; docs/POSTGRES.md).
   */
  store: z
    .discriminatedUnion('kind', [
      // Always <dataDir>/gateway.db: backup, restore and the key files beside it expect it there.
      z
        .object({
          kind: z.literal('sqlite'),
          // Where the WAL is copied into the database: on a thread of its own (gateway/store/
          // wal-checkpointer.ts), or in the commit that crosses 1,000 pages, SQLite's default
          // (kept for comparison: scripts/bench/checkpoint-ab.ts, and as a way back).
          checkpoints: z.enum(['thread', 'in-commits']).default('thread'),
        })
        .strict(),
      z
        .object({
          kind: z.literal('postgres'),
          url: z.string().regex(/^postgres(ql)?:\/\/[^/]*\/[^/?]+/, 'must be postgres://user@host:port/database'),
          poolSize: z.number().int().min(1).max(200).default(10),
          // Ingest's records insert as a named prepared statement (docs/POSTGRES.md, "Config"):
          // false behind a transaction-mode pooler that does not carry prepared statements.
          preparedStatements: z.boolean().default(true),
        })
        .strict(),
    ])
    .default({ kind: 'sqlite', checkpoints: 'thread' }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

const CoreSchema = z.object(CoreShape);
export type CoreConfig = z.infer<typeof CoreSchema>;
/** The parsed config: the core sections, and each feature's section under its key (absent = off). */
export type GatewayConfig = CoreConfig & { features: Record<string, unknown>; configDir: string };

const WRITTEN_BY_US = new Set(['passwordFile', 'aclFile']);

export class ConfigError extends Error {}

/** The whole schema: core sections plus one optional section per feature. */
export function gatewayConfigSchema(features: readonly FeatureDefinition<unknown>[]) {
  const shape: Record<string, z.ZodType> = { ...CoreShape };
  for (const f of features) shape[f.configKey] = f.configSchema.safeParse(undefined).success ? f.configSchema : f.configSchema.optional();
  return z
    .object(shape)
    .strict()
    .superRefine((raw, ctx) => {
      const c = raw as unknown as CoreConfig;
      const loopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';
      if (!loopback(c.mqtt.host) && !c.mqtt.tls && !c.mqtt.allowPlainTcp && !c.mqtt.external) {
        ctx.addIssue({ code: 'custom', path: ['mqtt', 'tls'], message: 'MQTT off loopback needs TLS (or mqtt.allowPlainTcp: true, explicitly)' });
      }
      if (!loopback(c.http.host) && !c.http.tls && !c.http.allowPlainHttp) {
        ctx.addIssue({ code: 'custom', path: ['http', 'tls'], message: 'HTTP off loopback needs TLS (or http.allowPlainHttp: true, explicitly)' });
      }
      if (c.mqtt.external && c.mqtt.requireKeyProof) {
        ctx.addIssue({
          code: 'custom',
          path: ['mqtt', 'requireKeyProof'],
          message: 'a site broker checks passwords itself and cannot check a key proof: set mqtt.requireKeyProof: false (and give devices client certificates on that broker)',
        });
      }
    });
}

/** Parse and check a config object; `configDir` is where relative paths start. */
export function parseGatewayConfig(raw: unknown, features: readonly FeatureDefinition<unknown>[], configDir: string, source = 'config'): GatewayConfig {
  const parsed = gatewayConfigSchema(features).safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${source}: ${describeZodError(parsed.error)}`);
  const data = resolvePaths(parsed.data as Record<string, unknown>, configDir, [], source);
  const featureSections: Record<string, unknown> = {};
  for (const f of features) if (data[f.configKey] !== undefined) featureSections[f.configKey] = data[f.configKey];
  const core = data as unknown as CoreConfig;
  return { ...core, dataDir: resolve(configDir, core.dataDir), features: featureSections, configDir };
}

export function loadGatewayConfig(file: string, features: readonly FeatureDefinition<unknown>[]): GatewayConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  return parseGatewayConfig(raw, features, dirname(resolve(file)), `config ${file}`);
}

/** Resolve every `…File` field against `base` and check it can be used. */
function resolvePaths(node: Record<string, unknown>, base: string, path: string[], source: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const here = [...path, key];
    if (key.endsWith('File') && typeof value === 'string') {
      const abs = isAbsolute(value) ? value : resolve(base, value);
      checkFile(abs, WRITTEN_BY_US.has(key), `${source}: ${here.join('.')}`);
      out[key] = abs;
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = resolvePaths(value as Record<string, unknown>, base, here, source);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function checkFile(abs: string, writtenByUs: boolean, where: string): void {
  const target = writtenByUs ? dirname(abs) : abs;
  try {
    if (writtenByUs) {
      if (!statSync(target).isDirectory()) throw new Error('not a folder');
      accessSync(target, constants.W_OK);
    } else {
      if (!statSync(target).isFile()) throw new Error('not a file');
      accessSync(target, constants.R_OK);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read by this user' : (err as Error).message;
    throw new ConfigError(`${where}: ${writtenByUs ? `the folder of ${abs}` : abs} ${why}`);
  }
}
