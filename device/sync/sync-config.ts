/** The device config's `gateway` section, validated with the whole config at start (errors name the field). */
import { z } from 'zod';
import { describeZodError, MAX_BATCH_RECORDS } from '../contract/index.js';

/**
 * How the sync paces its retries (issue 10, hole 9). An offline village point must not try every
 * second for weeks: waits double from `initialMs` up to `maxMs`, with jitter, and start again
 * from `initialMs` after a connection that stayed up `stableMs`. A refused enrolment waits
 * longer (`refusedMs`, doubling up to an hour): hall IT has to act before a retry can succeed.
 */
export const RetrySectionSchema = z
  .object({
    initialMs: z.number().int().min(10).max(60_000).default(1000),
    maxMs: z.number().int().min(10).max(3_600_000).default(300_000),
    stableMs: z.number().int().min(10).max(3_600_000).default(10_000),
    refusedMs: z.number().int().min(10).max(86_400_000).default(300_000),
  })
  .strict()
  .refine((r) => r.maxMs >= r.initialMs, { path: ['maxMs'], message: 'must be at least initialMs' });

export const GatewaySectionSchema = z
  .object({
    /** The gateway's HTTP base URL (enrolment, connection nonces). */
    url: z.string().url(),
    /** The broker: the gateway's embedded aedes, or a site's broker cluster. */
    mqttUrl: z.string().regex(/^mqtts?:\/\/[^/]+$/, 'must be mqtt://host:port or mqtts://host:port'),
    /** One-time code from hall IT; needed only until the device has enrolled. */
    enrolmentCode: z.string().optional(),
    /** The hall CA for mqtts:// and https://. */
    caFile: z.string().optional(),
    /**
     * Records a batch holds at most (also within the payload limit, contract/messages.ts). A backlog
     * goes in as few batches as the contract allows: the gateway's cost is per batch and per commit.
     */
    batchSize: z.number().int().min(1).max(MAX_BATCH_RECORDS).default(MAX_BATCH_RECORDS),
    /**
     * Batches sent but not yet acknowledged: bounded, so a long backlog never floods the gateway.
     * Eight keep the gateway's checks running ahead of its commits, and let it commit several of a
     * device's checked batches at once (docs/POSTGRES.md, "A device's batches in one group").
     */
    maxInFlight: z.number().int().min(1).max(16).default(8),
    ackTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
    /**
     * The MQTT keepalive, seconds: a connection silent for 1.5 of these is dropped and made again.
     * A batch is sized to take a third of it on the link at most (link-pace.ts).
     */
    keepaliveS: z.number().int().min(1).max(600).default(30),
    retry: RetrySectionSchema.default({ initialMs: 1000, maxMs: 300_000, stableMs: 10_000, refusedMs: 300_000 }),
    /** The same warning (gateway unreachable, a malformed message) is logged once, then as a count at most this often. */
    repeatLogEveryMs: z.number().int().min(10).max(86_400_000).default(600_000),
  })
  .strict();
export type GatewaySection = z.infer<typeof GatewaySectionSchema>;

export function parseGatewaySection(raw: unknown): GatewaySection {
  const r = GatewaySectionSchema.safeParse(raw);
  if (!r.success) throw new Error(describeZodError(r.error).replace(/(^|; )/g, '$1gateway.'));
  return r.data;
}
