/** The gateway's config file, validated once at start; errors name the field (STYLE.md §5). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CURRENT_CATALOGUE_VERSION, describeZodError } from '../../device/contract/index.js';

const TlsSchema = z.object({ keyFile: z.string().min(1), certFile: z.string().min(1), caFile: z.string().min(1).optional() }).strict();

export const GatewayConfigSchema = z
  .object({
    dataDir: z.string().min(1),
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** HTTPS with the hall's certificate: enrolment hands out MQTT passwords, logins carry passwords. */
        tls: TlsSchema.optional(),
        /** Plain HTTP off loopback must be asked for by name, like plain MQTT. */
        allowPlainHttp: z.boolean().default(false),
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
      .default({ host: '127.0.0.1', port: 1883, allowPlainTcp: false }),
    hall: z
      .object({
        hallName: z.string().min(1).max(100),
        catalogueVersion: z.string().default(CURRENT_CATALOGUE_VERSION),
        invitationTimeoutSec: z.number().int().min(10).max(3600).default(120),
        qrBaseUrl: z.string().url().optional(),
      })
      .strict(),
    /** The provincial 好差评 system (R5); without it ratings stay in the gateway's store. */
    province: z
      .object({
        url: z.string().url(),
        appId: z.string().min(1),
        key: z.string().min(16),
        areaCode: z.string().regex(/^\d{6,12}$/, 'areaCode must be a 6-12 digit division code'),
        deptCode: z.string().min(1).max(64),
        version: z.string().max(16).optional(),
        timeoutMs: z.number().int().min(100).default(10_000),
      })
      .strict()
      .optional(),
    /** Cases from the windows' business systems, and the unrated-case default (R7, R9). */
    cases: z
      .object({ workingDays: z.number().int().min(1).max(30).default(5), calendarOverrideFile: z.string().optional() })
      .strict()
      .default({ workingDays: 5 }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const loopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';
    if (!loopback(c.mqtt.host) && !c.mqtt.tls && !c.mqtt.allowPlainTcp) {
      ctx.addIssue({ code: 'custom', path: ['mqtt', 'tls'], message: 'MQTT off loopback needs TLS (or mqtt.allowPlainTcp: true, explicitly)' });
    }
    if (!loopback(c.http.host) && !c.http.tls && !c.http.allowPlainHttp) {
      ctx.addIssue({ code: 'custom', path: ['http', 'tls'], message: 'HTTP off loopback needs TLS (or http.allowPlainHttp: true, explicitly)' });
    }
  });
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

export function loadGatewayConfig(file: string): GatewayConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`config ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  const parsed = GatewayConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`config ${file}: ${describeZodError(parsed.error)}`);
  return { ...parsed.data, dataDir: resolve(parsed.data.dataDir) };
}
