/** The device config's `gateway` section, validated when the sync starts (errors name the field). */
import { z } from 'zod';
import { describeZodError } from '../contract/index.js';

export const GatewaySectionSchema = z
  .object({
    /** The gateway's HTTP base URL (enrolment). */
    url: z.string().url(),
    /** The broker: the gateway's embedded aedes, or a site's broker cluster. */
    mqttUrl: z.string().regex(/^mqtts?:\/\/[^/]+$/, 'must be mqtt://host:port or mqtts://host:port'),
    /** One-time code from hall IT; needed only until the device has enrolled. */
    enrolmentCode: z.string().optional(),
    /** The hall CA for mqtts:// and https://. */
    caFile: z.string().optional(),
    batchSize: z.number().int().min(1).max(500).default(200),
    /** Batches sent but not yet acknowledged: bounded, so a long backlog never floods the gateway. */
    maxInFlight: z.number().int().min(1).max(16).default(2),
    ackTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
  })
  .strict();
export type GatewaySection = z.infer<typeof GatewaySectionSchema>;

export function parseGatewaySection(raw: unknown): GatewaySection {
  const r = GatewaySectionSchema.safeParse(raw);
  if (!r.success) throw new Error(`config gateway: ${describeZodError(r.error).replace(/(^|; )/g, '$1gateway.')}`);
  return r.data;
}
