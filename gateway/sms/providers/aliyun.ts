/**
 * Aliyun 短信服务 (Dysmsapi 2017-05-25), RPC style, form-encoded POST signed with HMAC-SHA1:
 *  - SendSms (PhoneNumbers, SignName, TemplateCode, TemplateParam, OutId) → { Code: 'OK', BizId };
 *    isv.BUSINESS_LIMIT_CONTROL / Throttling.* = rate limited, isv.MOBILE_NUMBER_ILLEGAL = bad number.
 *  - QuerySendDetails (PhoneNumber, SendDate yyyyMMdd, PageSize, CurrentPage) → SmsSendDetailDTOs with
 *    OutId and SendStatus 1 waiting for receipt, 2 failed, 3 delivered. Aliyun's own advice after a
 *    timeout is to look at the send record before retrying: SendSms is not idempotent.
 *  - SmsReport (HTTP batch push): [{ phone_number, success, err_code, biz_id, out_id, … }];
 *    SmsUp: [{ phone_number, content, sign_name, dest_code, sequence_id, send_time }];
 *    both answered with { code: 0, msg }.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AliyunSmsSchema } from '../sms-config.js';
import { chinaDate } from '../quiet-hours.js';
import { postWithDeadline, type QueryOutcome, type SendOutcome, type SmsMessage, type SmsNotifier, type SmsReceipt, type SmsReply, type QueryRef } from '../notifier.js';
import { aliyunSignature } from './signing.js';

type AliyunConfig = z.infer<typeof AliyunSmsSchema>;

const RATE_LIMITED = /^(isv\.BUSINESS_LIMIT_CONTROL|isv\.DAY_LIMIT_CONTROL|Throttling.*)$/;
const BAD_NUMBER = /^(isv\.MOBILE_NUMBER_ILLEGAL|isv\.MOBILE_COUNT_OVER_LIMIT)$/;

const ReportSchema = z.array(
  z.object({ phone_number: z.string(), success: z.boolean(), err_code: z.string().default(''), biz_id: z.string().optional(), out_id: z.string().optional() }).loose(),
);
const UpSchema = z.array(z.object({ phone_number: z.string(), content: z.string(), sequence_id: z.union([z.number(), z.string()]), send_time: z.string().optional() }).loose());

/** The common parameters plus the action's, signed; what goes in the form body. */
export function aliyunSignedForm(c: AliyunConfig, action: string, params: Record<string, string>, now: number, nonce = randomUUID()): URLSearchParams {
  const all: Record<string, string> = {
    AccessKeyId: c.accessKeyId,
    Action: action,
    Format: 'JSON',
    RegionId: c.regionId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce,
    SignatureVersion: '1.0',
    Timestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
    ...params,
  };
  return new URLSearchParams({ ...all, Signature: aliyunSignature('POST', all, c.accessKeySecret) });
}

export class AliyunSms implements SmsNotifier {
  readonly provider = 'aliyun' as const;
  readonly canQuery = true;
  readonly notFoundProvesAbsence = true;
  constructor(
    private readonly c: AliyunConfig,
    private readonly timeoutMs: number,
  ) {}

  private call(action: string, params: Record<string, string>, now: number) {
    const body = aliyunSignedForm(this.c, action, params, now).toString();
    return postWithDeadline(this.c.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, this.timeoutMs);
  }

  async send(m: SmsMessage, now: number): Promise<SendOutcome> {
    const r = await this.call(
      'SendSms',
      { PhoneNumbers: m.phone, SignName: this.c.signName, TemplateCode: this.c.templateCode, TemplateParam: JSON.stringify({ hall: m.hall, link: m.link }), OutId: m.outId },
      now,
    );
    if ('lost' in r) return { kind: 'unknown', code: r.lost };
    if (r.status >= 500) return { kind: 'unknown', code: `http ${r.status}` };
    const body = safeJson(r.text) as { Code?: string; BizId?: string } | null;
    const code = body?.Code ?? `http ${r.status}`;
    if (code === 'OK' && body?.BizId) return { kind: 'accepted', providerId: body.BizId };
    if (RATE_LIMITED.test(code)) return { kind: 'rate-limited', code };
    if (BAD_NUMBER.test(code)) return { kind: 'bad-number', code };
    if (code === 'isp.SYSTEM_ERROR' || code === 'ServiceUnavailable') return { kind: 'unknown', code };
    return { kind: 'rejected', code };
  }

  async query(ref: QueryRef, now: number): Promise<QueryOutcome> {
    const r = await this.call('QuerySendDetails', { PhoneNumber: ref.phone, SendDate: chinaDate(ref.attemptAt), PageSize: '50', CurrentPage: '1' }, now);
    if ('lost' in r) return { kind: 'error', code: r.lost };
    const body = safeJson(r.text) as { Code?: string; SmsSendDetailDTOs?: { SmsSendDetailDTO?: Array<{ OutId?: string; SendStatus?: number; ErrCode?: string }> } } | null;
    if (body?.Code !== 'OK') return { kind: 'error', code: body?.Code ?? `http ${r.status}` };
    const hit = (body.SmsSendDetailDTOs?.SmsSendDetailDTO ?? []).find((d) => d.OutId === ref.outId);
    if (!hit) return { kind: 'not-found' };
    const status = hit.SendStatus === 3 ? 'delivered' : hit.SendStatus === 2 ? 'failed' : 'pending';
    // The send record carries no BizId: receipts are matched by OutId.
    return { kind: 'found', providerId: null, status, code: hit.ErrCode ?? '' };
  }

  receipts(body: unknown): SmsReceipt[] {
    return ReportSchema.parse(body).map((r) => ({ providerId: r.biz_id ?? null, outId: r.out_id ?? null, phone: r.phone_number, delivered: r.success, code: r.err_code }));
  }

  replies(body: unknown): SmsReply[] {
    return UpSchema.parse(body).map((u) => ({ phone: u.phone_number, text: u.content, replyId: `aliyun:${u.sequence_id}` }));
  }

  ack(): unknown {
    return { code: 0, msg: '接收成功' };
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
