/**
 * The reference province's config (`province` in gateway.json with `adapter: 'reference'`, the
 * default): where and how to send, and the profile values a province sets — its division and
 * department codes, its interface version, and its channel codes.
 *
 * Channel codes (`pf`, NATIONAL-SPEC "Channel codes" and "Channels: how ours map"): 1–4 are the
 * same in the provinces seen, 5–7 differ, so every code is a setting with the seen value as its
 * default. Two choices of ours:
 *  - `web` → 1 (PC端): hcp's web channel is the portal; phones reach us through the QR codes (3).
 *  - `paper-card` has no default: no province's code for a paper card (评议卡) was seen, and the
 *    spec says the profile must say, never guess. Until it is set, a paper-card rating is refused
 *    by the adapter with that reason (a dead letter hall IT can retry once the code is set).
 */
import { z } from 'zod';

const PfCode = z.number().int().min(1).max(99);

export const PF_DEFAULTS = {
  'device-touch': 4,
  'device-button': 4,
  'qr-window': 3,
  'qr-case': 3,
  sms: 6,
  web: 1,
  default: 7,
} as const;

export const PfTableSchema = z
  .object({
    'device-touch': PfCode.default(PF_DEFAULTS['device-touch']),
    'device-button': PfCode.default(PF_DEFAULTS['device-button']),
    'qr-window': PfCode.default(PF_DEFAULTS['qr-window']),
    'qr-case': PfCode.default(PF_DEFAULTS['qr-case']),
    sms: PfCode.default(PF_DEFAULTS.sms),
    web: PfCode.default(PF_DEFAULTS.web),
    default: PfCode.default(PF_DEFAULTS.default),
    'paper-card': PfCode.optional(),
  })
  .strict();
export type PfTable = z.infer<typeof PfTableSchema>;

export const ReferenceConfigSchema = z
  .object({
    adapter: z.literal('reference'),
    /** The ratings endpoint. */
    url: z.url({ message: 'province.url must be an http(s) URL' }),
    /** Default: `corrections` beside `url` (…/province/ratings → …/province/corrections). */
    correctionsUrl: z.url().optional(),
    /** Default: `amendments` beside `url`. */
    amendmentsUrl: z.url().optional(),
    /** Default: `rectifications` beside `url` (a 差评's follow-up record). */
    rectificationsUrl: z.url().optional(),
    /** Whether this province takes the follow-up records of 差评 (docs/NATIONAL-SPEC.md "Rectification records"); the reference profile does. */
    rectifications: z.boolean().default(true),
    appId: z.string().min(1),
    key: z.string().min(16, 'province.key must be at least 16 characters'),
    areaCode: z.string().regex(/^\d{6,12}$/, 'areaCode must be a 6-12 digit division code'),
    deptCode: z.string().min(1).max(64),
    /** Some provinces require an interface version on every record. */
    version: z.string().min(1).max(16).optional(),
    timeoutMs: z.number().int().min(100).default(10_000),
    pf: PfTableSchema.prefault({}),
  })
  .strict();
export type ReferenceConfig = z.infer<typeof ReferenceConfigSchema>;

/** What the mapping needs of the config. */
export type ReferenceProfile = Pick<ReferenceConfig, 'areaCode' | 'deptCode' | 'version' | 'pf'>;

export function endpointsOf(c: ReferenceConfig): { ratings: string; corrections: string; amendments: string; rectifications: string } {
  return {
    ratings: c.url,
    corrections: c.correctionsUrl ?? new URL('corrections', c.url).toString(),
    amendments: c.amendmentsUrl ?? new URL('amendments', c.url).toString(),
    rectifications: c.rectificationsUrl ?? new URL('rectifications', c.url).toString(),
  };
}
