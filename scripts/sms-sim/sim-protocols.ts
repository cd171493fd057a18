/**
 * The three providers' wire formats as the simulator speaks them (the mirror of
 * gateway/sms/providers/*): how a request is authenticated and read, how each answer looks, and
 * the shapes of the pushes (delivery receipts, 上行 replies). Signatures are checked with the
 * providers' documented algorithms; a bad one gets the provider's own error.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { aliyunSignature, masMac, tc3Authorization } from '../../gateway/sms/providers/signing.js';

export type SimProtocol = 'aliyun' | 'tencent' | 'cmcc-mas';

export interface SimCredentials {
  aliyun?: { accessKeyId: string; accessKeySecret: string };
  tencent?: { secretId: string; secretKey: string };
  mas?: { ecName: string; apId: string; secretKey: string };
}

/** A request the simulator understood. */
export type SimRequest =
  | { action: 'send'; phone: string; outId: string | null; text: string }
  | { action: 'query'; phone: string; sendDate: string | null }
  | { action: 'bad-signature' }
  | { action: 'unknown'; name: string };

export interface SimMessage {
  providerId: string;
  outId: string | null;
  phone: string;
  text: string;
  /** The simulator's clock (the gateway's in a drill). */
  acceptedAt: number;
  /** Reached the handset (false for a bad number that 云MAS took). */
  handset: boolean;
  receiptPushed: boolean;
}

const stripCountry = (p: string) => p.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');

export function readRequest(protocol: SimProtocol, creds: SimCredentials, headers: IncomingHttpHeaders, raw: string): SimRequest {
  if (protocol === 'aliyun') {
    const form = Object.fromEntries(new URLSearchParams(raw));
    const { Signature, ...rest } = form;
    const c = creds.aliyun;
    if (!c || rest.AccessKeyId !== c.accessKeyId || Signature !== aliyunSignature('POST', rest, c.accessKeySecret)) return { action: 'bad-signature' };
    if (rest.Action === 'SendSms') return { action: 'send', phone: stripCountry(rest.PhoneNumbers ?? ''), outId: rest.OutId ?? null, text: rest.TemplateParam ?? '' };
    if (rest.Action === 'QuerySendDetails') return { action: 'query', phone: stripCountry(rest.PhoneNumber ?? ''), sendDate: rest.SendDate ?? null };
    return { action: 'unknown', name: rest.Action ?? '' };
  }
  if (protocol === 'tencent') {
    const c = creds.tencent;
    const host = String(headers.host ?? '');
    const expected = c
      ? tc3Authorization({
          secretId: c.secretId,
          secretKey: c.secretKey,
          service: 'sms',
          host,
          timestamp: Number(headers['x-tc-timestamp']),
          payload: raw,
          contentType: String(headers['content-type']),
        }).authorization
      : '';
    if (!c || headers.authorization !== expected) return { action: 'bad-signature' };
    const body = JSON.parse(raw) as { PhoneNumberSet?: string[]; SessionContext?: string; TemplateParamSet?: string[]; PhoneNumber?: string };
    const action = String(headers['x-tc-action']);
    if (action === 'SendSms')
      return { action: 'send', phone: stripCountry(body.PhoneNumberSet?.[0] ?? ''), outId: body.SessionContext ?? null, text: (body.TemplateParamSet ?? []).join(' ') };
    if (action === 'PullSmsSendStatusByPhoneNumber') return { action: 'query', phone: stripCountry(body.PhoneNumber ?? ''), sendDate: null };
    return { action: 'unknown', name: action };
  }
  const c = creds.mas;
  const submit = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, string>;
  const mac = c
    ? masMac(
        {
          ecName: submit.ecName ?? '',
          apId: submit.apId ?? '',
          mobiles: submit.mobiles ?? '',
          content: submit.content ?? '',
          sign: submit.sign ?? '',
          addSerial: submit.addSerial ?? '',
        },
        c.secretKey,
      )
    : '';
  if (!c || submit.ecName !== c.ecName || submit.apId !== c.apId || submit.mac !== mac) return { action: 'bad-signature' };
  return { action: 'send', phone: submit.mobiles ?? '', outId: null, text: submit.content ?? '' };
}

export type SimAnswer = 'accepted' | 'rate-limited' | 'bad-number' | 'bad-signature' | 'unknown-action';

/** The HTTP status and body of an answer to a send (or a refused request). */
export function sendAnswer(protocol: SimProtocol, answer: SimAnswer, m?: SimMessage): { status: number; body: string } {
  const requestId = Math.random().toString(16).slice(2);
  if (protocol === 'aliyun') {
    const code = {
      accepted: 'OK',
      'rate-limited': 'isv.BUSINESS_LIMIT_CONTROL',
      'bad-number': 'isv.MOBILE_NUMBER_ILLEGAL',
      'bad-signature': 'SignatureDoesNotMatch',
      'unknown-action': 'InvalidAction.NotFound',
    }[answer];
    return { status: answer === 'bad-signature' ? 400 : 200, body: JSON.stringify({ Code: code, Message: code, RequestId: requestId, ...(m ? { BizId: m.providerId } : {}) }) };
  }
  if (protocol === 'tencent') {
    if (answer === 'bad-signature' || answer === 'unknown-action')
      return {
        status: 200,
        body: JSON.stringify({
          Response: { Error: { Code: answer === 'bad-signature' ? 'AuthFailure.SignatureFailure' : 'InvalidAction', Message: answer }, RequestId: requestId },
        }),
      };
    const code = { accepted: 'Ok', 'rate-limited': 'LimitExceeded.PhoneNumberThirtySecondLimit', 'bad-number': 'InvalidParameterValue.IncorrectPhoneNumber' }[answer];
    return {
      status: 200,
      body: JSON.stringify({
        Response: { SendStatusSet: [{ SerialNo: m?.providerId ?? '', Code: code, Message: code, SessionContext: m?.outId ?? '', IsoCode: 'CN' }], RequestId: requestId },
      }),
    };
  }
  if (answer === 'rate-limited') return { status: 429, body: JSON.stringify({ rspcod: 'TooFrequently', success: false }) };
  if (answer === 'bad-signature') return { status: 200, body: JSON.stringify({ rspcod: 'IllegalMac', success: false }) };
  return { status: 200, body: JSON.stringify({ rspcod: 'success', msgGroup: m?.providerId ?? '', success: true }) };
}

const cnTime = (t: number) => new Date(t + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);

export function queryAnswer(protocol: SimProtocol, list: SimMessage[]): string {
  if (protocol === 'aliyun')
    return JSON.stringify({
      Code: 'OK',
      Message: 'OK',
      TotalCount: list.length,
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: list.map((m) => ({
          PhoneNum: m.phone,
          SendStatus: m.receiptPushed ? 3 : 1,
          ErrCode: 'DELIVERED',
          OutId: m.outId,
          SendDate: cnTime(m.acceptedAt),
          Content: m.text,
        })),
      },
    });
  return JSON.stringify({
    Response: {
      PullSmsSendStatusSet: list
        .filter((m) => m.receiptPushed)
        .map((m) => ({
          SerialNo: m.providerId,
          PhoneNumber: `+86${m.phone}`,
          ReportStatus: 'SUCCESS',
          Description: '用户短信送达成功',
          SessionContext: m.outId ?? '',
          UserReceiveTime: Math.floor(m.acceptedAt / 1000),
        })),
      RequestId: 'sim',
    },
  });
}

export function receiptPush(protocol: SimProtocol, m: SimMessage): unknown {
  if (protocol === 'aliyun')
    return [
      {
        phone_number: m.phone,
        send_time: cnTime(m.acceptedAt),
        report_time: cnTime(m.acceptedAt),
        success: true,
        err_code: 'DELIVERED',
        err_msg: '用户接收成功',
        sms_size: '1',
        biz_id: m.providerId,
        out_id: m.outId ?? '',
      },
    ];
  if (protocol === 'tencent')
    return [
      {
        user_receive_time: cnTime(m.acceptedAt),
        nationcode: '86',
        mobile: m.phone,
        report_status: 'SUCCESS',
        errmsg: 'DELIVRD',
        description: '用户短信送达成功',
        sid: m.providerId,
      },
    ];
  const ok = m.handset;
  return { reportStatus: ok ? 'DELIVRD' : 'UNDELIV', mobile: m.phone, msgGroup: m.providerId, errorCode: ok ? 'DELIVRD' : 'MK:0001', submitDate: '', receiveDate: '' };
}

export function replyPush(protocol: SimProtocol, phone: string, text: string, seq: number, now: number): unknown {
  if (protocol === 'aliyun') return [{ phone_number: phone, send_time: cnTime(now), content: text, sign_name: '政务服务', dest_code: '1234', sequence_id: seq }];
  if (protocol === 'tencent') return { extend: '', mobile: phone, nationcode: '86', sign: '政务服务', text, time: Math.floor(now / 1000) + seq };
  return { mobile: phone, smsContent: text, sendTime: `${cnTime(now)}.${seq}`, addSerial: '' };
}
