/**
 * Tencent Cloud SMS, API 3.0 (version 2021-01-11), JSON POST signed TC3-HMAC-SHA256:
 *  - SendSms { PhoneNumberSet, SmsSdkAppId, SignName, TemplateId, TemplateParamSet, SessionContext }
 *    → Response.SendStatusSet[{ SerialNo, Code: 'Ok' | 'LimitExceeded.PhoneNumber…' |
 *    'InvalidParameterValue.IncorrectPhoneNumber' …, SessionContext }]; a call-level Response.Error
 *    with RequestLimitExceeded* is a rate limit.
 *  - PullSmsSendStatusByPhoneNumber { BeginTime, EndTime, Offset, Limit, PhoneNumber, SmsSdkAppId }
 *    → PullSmsSendStatusSet[{ SerialNo, ReportStatus, SessionContext }]. It lists receipts, not
 *    submissions: "found" settles a lost answer, "not found" proves nothing and never leads to a
 *    resend (docs/SMS.md "Choosing a provider").
 *  - Status callback: [{ mobile, report_status: SUCCESS|FAIL, errmsg, sid, ext? }]; reply callback:
 *    { mobile, nationcode, text, sign, time, extend }; both answered { result: 0, errmsg: 'OK' }.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TencentSmsSchema } from '../sms-config.js';
import { postWithDeadline, type QueryOutcome, type QueryRef, type SendOutcome, type SmsMessage, type SmsNotifier, type SmsReceipt, type SmsReply } from '../notifier.js';
import { safeJson } from './aliyun.js';
import { tc3Authorization } from './signing.js';

type TencentConfig = z.infer<typeof TencentSmsSchema>;
const CONTENT_TYPE = 'application/json; charset=utf-8';

const ReportSchema = z.array(z.object({ mobile: z.string(), report_status: z.string(), errmsg: z.string().default(''), sid: z.string(), ext: z.string().optional() }).loose());
const ReplySchema = z.object({ mobile: z.string(), text: z.string(), time: z.union([z.number(), z.string()]), nationcode: z.string().optional() }).loose();

/** Headers of one signed API 3.0 call (host taken from the endpoint, as signed). */
export function tencentHeaders(c: TencentConfig, action: string, payload: string, now: number): Record<string, string> {
  const host = new URL(c.endpoint).host;
  const timestamp = Math.floor(now / 1000);
  const { authorization } = tc3Authorization({ secretId: c.secretId, secretKey: c.secretKey, service: 'sms', host, timestamp, payload, contentType: CONTENT_TYPE });
  return {
    authorization,
    'content-type': CONTENT_TYPE,
    host,
    'x-tc-action': action,
    'x-tc-version': '2021-01-11',
    'x-tc-timestamp': String(timestamp),
    'x-tc-region': c.region,
  };
}

export class TencentSms implements SmsNotifier {
  readonly provider = 'tencent' as const;
  readonly canQuery = true;
  readonly notFoundProvesAbsence = false;
  constructor(
    private readonly c: TencentConfig,
    private readonly timeoutMs: number,
  ) {}

  private call(action: string, body: unknown, now: number) {
    const payload = JSON.stringify(body);
    return postWithDeadline(this.c.endpoint, { method: 'POST', headers: tencentHeaders(this.c, action, payload, now), body: payload }, this.timeoutMs);
  }

  async send(m: SmsMessage, now: number): Promise<SendOutcome> {
    const r = await this.call(
      'SendSms',
      {
        PhoneNumberSet: [`+86${m.phone}`],
        SmsSdkAppId: this.c.smsSdkAppId,
        SignName: this.c.signName,
        TemplateId: this.c.templateId,
        TemplateParamSet: [m.hall, m.link],
        SessionContext: m.outId,
      },
      now,
    );
    if ('lost' in r) return { kind: 'unknown', code: r.lost };
    if (r.status >= 500) return { kind: 'unknown', code: `http ${r.status}` };
    const res = (safeJson(r.text) as { Response?: { Error?: { Code: string }; SendStatusSet?: Array<{ SerialNo?: string; Code: string }> } } | null)?.Response;
    const err = res?.Error?.Code;
    if (err) {
      if (err.startsWith('RequestLimitExceeded') || err.startsWith('LimitExceeded')) return { kind: 'rate-limited', code: err };
      if (err === 'InternalError' || err.startsWith('InternalError.')) return { kind: 'unknown', code: err };
      return { kind: 'rejected', code: err };
    }
    const status = res?.SendStatusSet?.[0];
    if (!status) return { kind: 'unknown', code: 'no SendStatusSet' };
    if (status.Code === 'Ok' && status.SerialNo) return { kind: 'accepted', providerId: status.SerialNo };
    if (status.Code.startsWith('LimitExceeded')) return { kind: 'rate-limited', code: status.Code };
    if (
      status.Code === 'InvalidParameterValue.IncorrectPhoneNumber' ||
      status.Code === 'FailedOperation.PhoneNumberInBlacklist' ||
      status.Code === 'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber'
    )
      return { kind: 'bad-number', code: status.Code };
    return { kind: 'rejected', code: status.Code };
  }

  async query(ref: QueryRef, now: number): Promise<QueryOutcome> {
    const begin = Math.floor(ref.attemptAt / 1000) - 60;
    const r = await this.call(
      'PullSmsSendStatusByPhoneNumber',
      { BeginTime: begin, EndTime: Math.floor(now / 1000), Offset: 0, Limit: 100, PhoneNumber: `+86${ref.phone}`, SmsSdkAppId: this.c.smsSdkAppId },
      now,
    );
    if ('lost' in r) return { kind: 'error', code: r.lost };
    const res = (
      safeJson(r.text) as {
        Response?: { Error?: { Code: string }; PullSmsSendStatusSet?: Array<{ SerialNo: string; ReportStatus: string; SessionContext?: string; Description?: string }> };
      } | null
    )?.Response;
    if (!res || res.Error) return { kind: 'error', code: res?.Error?.Code ?? `http ${r.status}` };
    const hit = (res.PullSmsSendStatusSet ?? []).find((s) => s.SessionContext === ref.outId);
    if (!hit) return { kind: 'not-found' };
    return { kind: 'found', providerId: hit.SerialNo, status: hit.ReportStatus === 'SUCCESS' ? 'delivered' : 'failed', code: hit.ReportStatus };
  }

  receipts(body: unknown): SmsReceipt[] {
    return ReportSchema.parse(body).map((r) => ({ providerId: r.sid, outId: r.ext ?? null, phone: r.mobile, delivered: r.report_status === 'SUCCESS', code: r.errmsg }));
  }

  replies(body: unknown): SmsReply[] {
    const list = Array.isArray(body) ? body : [body];
    return list.map((b) => {
      const u = ReplySchema.parse(b);
      // No id in the push: the same push retried has the same number, time and text.
      const id = createHash('sha256').update(`${u.mobile}|${u.time}|${u.text}`).digest('hex').slice(0, 32);
      return { phone: u.mobile, text: u.text, replyId: `tencent:${id}` };
    });
  }

  ack(): unknown {
    return { result: 0, errmsg: 'OK' };
  }
}
