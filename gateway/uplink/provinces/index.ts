/**
 * The factory of provinces (docs/DESIGN.md "The gateway's shape"): the `province` config section
 * names its adapter and carries that adapter's own settings, checked by that adapter's schema, plus
 * the outbox settings every province shares. A new province is a folder beside reference/ and one
 * line in each of PROVINCE_SCHEMAS and createProvinceAdapter.
 *
 * `adapter` defaults to 'reference', so a section written before adapters existed
 * (url/appId/key/areaCode/deptCode/version/timeoutMs) still works unchanged.
 */
import { z } from 'zod';
import type { ProvinceAdapter } from '../adapter.js';
import { ReferenceConfigSchema } from './reference/config.js';
import { ReferenceAdapter } from './reference/reference-adapter.js';

/** How the outbox works, whatever the province. */
export const OutboxSettingsSchema = z
  .object({
    /** How long a 差评 waits for its reasons, by the gateway's clock (issue 10, hole 12). */
    holdMs: z.number().int().min(0).max(3_600_000).default(90_000),
    batchSize: z.number().int().min(1).max(5000).default(200),
    /** Requests in flight at once. */
    concurrency: z.number().int().min(1).max(16).default(4),
    /** An item the province keeps answering "retry" for goes to the dead letters after this many answers. */
    maxItemAttempts: z.number().int().min(1).default(50),
    /** Ledger changes turned into outbox items per transaction. */
    enqueueChunk: z.number().int().min(1).max(5000).default(2000),
    /** How often held 差评 are checked for release (and the ledger for changes nobody announced). */
    pumpEveryMs: z.number().int().min(10).default(5000),
    /** A failing province is retried after a wait that doubles from `retryBaseMs` up to `retryMaxMs` (with jitter; Retry-After honoured). */
    retryBaseMs: z.number().int().min(10).max(60_000).default(1000),
    retryMaxMs: z.number().int().min(10).max(3_600_000).default(300_000),
  })
  .strict();
export type OutboxSettings = z.infer<typeof OutboxSettingsSchema>;

const outbox = { outbox: OutboxSettingsSchema.prefault({}) };
const PROVINCE_SCHEMAS = [ReferenceConfigSchema.extend(outbox)] as const;

export const ProvinceConfigSchema = z.preprocess(
  (raw) => (raw !== null && typeof raw === 'object' && !('adapter' in raw) ? { ...raw, adapter: 'reference' } : raw),
  z.discriminatedUnion('adapter', PROVINCE_SCHEMAS),
);
export type ProvinceConfig = z.infer<typeof ProvinceConfigSchema>;

export function createProvinceAdapter(config: ProvinceConfig): ProvinceAdapter {
  switch (config.adapter) {
    case 'reference':
      return new ReferenceAdapter(config);
  }
}
