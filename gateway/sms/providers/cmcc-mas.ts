/**
 * China Mobile 云MAS, HTTP interface (普通短信 norsubmit): the body is base64 of JSON
 * { ecName, apId, mobiles, content, sign, addSerial, mac } with mac = md5 of the fields and the
 * secret key in order; the answer is { rspcod: 'success', msgGroup, success: true } or an error
 * rspcod (IllegalMac, InvalidUsrOrPwd, IllegalSignId, InvalidMessage, TooManyMobiles …).
 * Status reports are pushed per number: { reportStatus: 'DELIVRD' | …, mobile, msgGroup,
 * errorCode, submitDate, receiveDate }; 上行: { mobile, smsContent, sendTime, addSerial }.
 * The HTTP interface has no query, so after a lost answer the outbox never resends: it waits for
 * a report and otherwise gives up (docs/SMS.md "云MAS"). Its rate-limit code is not published;
 * HTTP 429 and an rspcod naming a frequency limit are read as one (an assumption, marked here).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CmccMasSmsSchema } from '../sms-config.js';
import { postWithDeadline, type QueryOutcome, type SendOutcome, type SmsMessage, type SmsNotifier, type SmsReceipt, type SmsReply } from '../notifier.js';
import { safeJson } from './aliyun.js';
import { masMac, type MasSubmit } from './signing.js';

type MasConfig = z.infer<typeof CmccMasSmsSchema>;

const ReportSchema = z.object({ reportStatus: z.string(), mobile: z.string(), msgGroup: z.string(), errorCode: z.string().default('') }).loose();
const UpSchema = z.object({ mobile: z.string(), smsContent: z.string(), sendTime: z.string(), addSerial: z.string().optional() }).loose();
const BAD_NUMBER_RSPCOD = /^(InvalidMobile|IllegalMobile)/i;

/** The request body: base64 of the JSON submit with its mac. */
export function masBody(c: MasConfig, m: SmsMessage): string {
  const submit: MasSubmit = { ecName: c.ecName, apId: c.apId, mobiles: m.phone, content: m.text, sign: c.sign, addSerial: c.addSerial };
  return Buffer.from(JSON.stringify({ ...submit, mac: masMac(submit, c.secretKey) }), 'utf8').toString('base64');
}

export class CmccMasSms implements SmsNotifier {
  readonly provider = 'cmcc-mas' as const;
  readonly canQuery = false;
  readonly notFoundProvesAbsence = false;
  constructor(
    private readonly c: MasConfig,
    private readonly timeoutMs: number,
  ) {}

  async send(m: SmsMessage): Promise<SendOutcome> {
    const r = await postWithDeadline(this.c.endpoint, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: masBody(this.c, m) }, this.timeoutMs);
    if ('lost' in r) return { kind: 'unknown', code: r.lost };
    if (r.status === 429) return { kind: 'rate-limited', code: 'http 429' };
    if (r.status >= 500) return { kind: 'unknown', code: `http ${r.status}` };
    const body = safeJson(r.text) as { rspcod?: string; msgGroup?: string; success?: boolean } | null;
    const code = body?.rspcod ?? `http ${r.status}`;
    if (body?.success && body.msgGroup) return { kind: 'accepted', providerId: body.msgGroup };
    if (/frequen|limit/i.test(code)) return { kind: 'rate-limited', code };
    if (BAD_NUMBER_RSPCOD.test(code)) return { kind: 'bad-number', code };
    return { kind: 'rejected', code };
  }

  async query(): Promise<QueryOutcome> {
    return { kind: 'unsupported' };
  }

  receipts(body: unknown): SmsReceipt[] {
    const list = Array.isArray(body) ? body : [body];
    return list.map((b) => {
      const r = ReportSchema.parse(b);
      return { providerId: r.msgGroup, outId: null, phone: r.mobile, delivered: r.reportStatus === 'DELIVRD', code: r.errorCode || r.reportStatus };
    });
  }

  replies(body: unknown): SmsReply[] {
    const list = Array.isArray(body) ? body : [body];
    return list.map((b) => {
      const u = UpSchema.parse(b);
      const id = createHash('sha256').update(`${u.mobile}|${u.sendTime}|${u.smsContent}`).digest('hex').slice(0, 32);
      return { phone: u.mobile, text: u.smsContent, replyId: `cmcc-mas:${id}` };
    });
  }

  ack(): unknown {
    return { rspcod: 'success' };
  }
}
