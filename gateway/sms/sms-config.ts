/**
 * The `sms` config section (docs/SMS.md "Config"): which provider, its credentials and endpoint,
 * when to invite, quiet hours, and the outbox's timings. The endpoint is always configurable so a
 * drill points the adapter at the simulator on 127.0.0.1; production uses the provider's default.
 */
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM (China time)');

export const AliyunSmsSchema = z
  .object({
    kind: z.literal('aliyun'),
    endpoint: z.string().url().default('https://dysmsapi.aliyuncs.com/'),
    accessKeyId: z.string().min(1),
    accessKeySecret: z.string().min(1),
    signName: z.string().min(1),
    /** An approved template with the variables ${hall} and ${link}. */
    templateCode: z.string().min(1),
    regionId: z.string().default('cn-hangzhou'),
  })
  .strict();

export const TencentSmsSchema = z
  .object({
    kind: z.literal('tencent'),
    endpoint: z.string().url().default('https://sms.tencentcloudapi.com/'),
    secretId: z.string().min(1),
    secretKey: z.string().min(1),
    smsSdkAppId: z.string().min(1),
    signName: z.string().min(1),
    /** An approved template whose two parameters are {1} the hall and {2} the link. */
    templateId: z.string().min(1),
    region: z.string().default('ap-guangzhou'),
  })
  .strict();

export const CmccMasSmsSchema = z
  .object({
    kind: z.literal('cmcc-mas'),
    endpoint: z.string().url().default('http://112.35.1.155:1992/sms/norsubmit'),
    ecName: z.string().min(1),
    apId: z.string().min(1),
    secretKey: z.string().min(1),
    /** 签名编码 from the 云MAS console. */
    sign: z.string().min(1),
    addSerial: z.string().max(20).default(''),
  })
  .strict();

export const SmsProviderSchema = z.discriminatedUnion('kind', [AliyunSmsSchema, TencentSmsSchema, CmccMasSmsSchema]);
export type SmsProviderConfig = z.infer<typeof SmsProviderSchema>;

export const SmsConfigSchema = z
  .object({
    provider: SmsProviderSchema,
    /** How long after the case was announced an unrated case is invited (R8). */
    delayHours: z
      .number()
      .min(0)
      .max(24 * 30)
      .default(24),
    /** No SMS goes out between start and end, China time (start > end spans midnight); null: none. */
    quietHours: z.object({ start: hhmm, end: hhmm }).strict().nullable().default({ start: '21:00', end: '08:00' }),
    /** How long the link, and a reply by SMS, count after the invitation is sent. */
    linkValidHours: z
      .number()
      .min(1)
      .max(24 * 30)
      .default(72),
    /** The SMS text for providers that take free text (云MAS); {hall} and {link} are filled in. */
    text: z.string().min(1).max(300).default('【{hall}】您办理的政务服务请评价：{link} 也可回复数字评价：5非常满意 4满意 3基本满意 2不满意 1非常不满意'),
    /** The secret path segment of the callback URLs given to the provider (receipts, replies). */
    callbackToken: z
      .string()
      .min(16, 'sms.callbackToken: at least 16 characters')
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/),
    tickMs: z.number().int().min(20).default(5000),
    requestTimeoutMs: z.number().int().min(50).default(5000),
    /** After an answer that never came, wait this long before asking the provider what it did. */
    querySettleSec: z.number().min(0).default(120),
    /** A provider that cannot be asked (云MAS): after this long with no receipt, stop waiting (never resend). */
    unknownGiveUpHours: z.number().min(0).default(24),
    /** Accepted but no delivery receipt after this long: the invitation is final as unconfirmed. */
    receiptWaitHours: z.number().min(0).default(48),
    retryBaseSec: z.number().min(0).default(60),
    retryMaxSec: z.number().min(0).default(3600),
    /** How long a worker holds a row it is sending before another may take it over. */
    leaseSec: z.number().min(1).default(120),
    batchSize: z.number().int().min(1).max(500).default(20),
  })
  .strict();
export type SmsConfig = z.infer<typeof SmsConfigSchema>;
