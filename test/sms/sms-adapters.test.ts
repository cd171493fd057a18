/**
 * Each adapter's request as its provider documents it, and how each answer is read
 * (gateway/sms/providers/*): a capture server on 127.0.0.1 records the request and answers
 * what the provider would; the signature is checked again from what arrived on the wire.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsMessage } from '../../gateway/sms/notifier.js';
import { AliyunSms } from '../../gateway/sms/providers/aliyun.js';
import { CmccMasSms } from '../../gateway/sms/providers/cmcc-mas.js';
import { aliyunSignature, tc3Authorization } from '../../gateway/sms/providers/signing.js';
import { TencentSms } from '../../gateway/sms/providers/tencent.js';
import { AliyunSmsSchema, CmccMasSmsSchema, TencentSmsSchema } from '../../gateway/sms/sms-config.js';

let server: Server;
let url = '';
let seen: { headers: IncomingHttpHeaders; body: string } | null = null;
let answer: { status: number; body: string; hangMs?: number } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    seen = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    if (answer.hangMs) await new Promise((r) => setTimeout(r, answer.hangMs));
    if (!res.destroyed) res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const msg: SmsMessage = {
  outId: 'out0001',
  phone: '13800138000',
  hall: '廊坊市政务服务中心',
  link: 'https://hall.example/c/AAAAAAAAAAAAAAAAAAAAAA',
  text: '请评价 https://hall.example/c/x',
};
const NOW = Date.parse('2026-12-02T02:00:00Z');
const reply = (body: unknown, status = 200, hangMs?: number) => {
  answer = { status, body: JSON.stringify(body), ...(hangMs ? { hangMs } : {}) };
};

describe('Aliyun adapter', () => {
  const cfg = AliyunSmsSchema.parse({
    kind: 'aliyun',
    endpoint: 'http://placeholder/',
    accessKeyId: 'LTAI-test',
    accessKeySecret: 'secret-1',
    signName: '政务服务',
    templateCode: 'SMS_123',
  });
  // A deadline a loaded machine meets (a first request in a test process can take longer than 300 ms); the timeout case sets its own.
  const adapter = (deadlineMs = 5000) => new AliyunSms({ ...cfg, endpoint: url }, deadlineMs);

  it('SendSms: signed form with the documented fields; OK → accepted with the BizId', async () => {
    reply({ Code: 'OK', Message: 'OK', BizId: '9006197469364984^0', RequestId: 'r' });
    expect(await adapter().send(msg, NOW)).toEqual({ kind: 'accepted', providerId: '9006197469364984^0' });
    const form = Object.fromEntries(new URLSearchParams(seen!.body));
    expect(form).toMatchObject({
      Action: 'SendSms',
      Version: '2017-05-25',
      Format: 'JSON',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      AccessKeyId: 'LTAI-test',
      PhoneNumbers: '13800138000',
      SignName: '政务服务',
      TemplateCode: 'SMS_123',
      OutId: 'out0001',
      Timestamp: '2026-12-02T02:00:00Z',
    });
    expect(JSON.parse(form.TemplateParam!)).toEqual({ hall: msg.hall, link: msg.link });
    const { Signature, ...rest } = form;
    expect(Signature).toBe(aliyunSignature('POST', rest, 'secret-1'));
  });

  it('reads rate limits, bad numbers and lost answers as the outbox needs them', async () => {
    reply({ Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控' });
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'rate-limited' });
    reply({ Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' });
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'bad-number' });
    reply({ Code: 'isv.SMS_TEMPLATE_ILLEGAL' });
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'rejected', code: 'isv.SMS_TEMPLATE_ILLEGAL' });
    reply({ Code: 'OK', BizId: 'late' }, 200, 3000);
    expect(await adapter(300).send(msg, NOW)).toEqual({ kind: 'unknown', code: 'timeout' });
    reply({}, 502);
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'unknown' });
  });

  it('QuerySendDetails: by number and China send date, found by our OutId', async () => {
    reply({
      Code: 'OK',
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: [
          { OutId: 'other', SendStatus: 3 },
          { OutId: 'out0001', SendStatus: 1, ErrCode: '' },
        ],
      },
    });
    // 2026-12-01T17:00Z is already 12-02 in China.
    expect(await adapter().query({ outId: 'out0001', phone: '13800138000', providerId: null, attemptAt: Date.parse('2026-12-01T17:00:00Z') }, NOW)).toMatchObject({
      kind: 'found',
      status: 'pending',
    });
    expect(Object.fromEntries(new URLSearchParams(seen!.body))).toMatchObject({
      Action: 'QuerySendDetails',
      PhoneNumber: '13800138000',
      SendDate: '20261202',
      PageSize: '50',
      CurrentPage: '1',
    });
    reply({ Code: 'OK', SmsSendDetailDTOs: { SmsSendDetailDTO: [] } });
    expect(await adapter().query({ outId: 'out0001', phone: '13800138000', providerId: null, attemptAt: NOW }, NOW)).toEqual({ kind: 'not-found' });
  });

  it('parses SmsReport and SmsUp pushes', () => {
    const a = adapter();
    expect(a.receipts([{ phone_number: '13800138000', success: true, err_code: 'DELIVERED', biz_id: 'b1', out_id: 'out0001', send_time: '', report_time: '' }])).toEqual([
      { providerId: 'b1', outId: 'out0001', phone: '13800138000', delivered: true, code: 'DELIVERED' },
    ]);
    expect(a.replies([{ phone_number: '13800138000', content: '5', sign_name: 's', dest_code: '1', sequence_id: 77, send_time: '' }])).toEqual([
      { phone: '13800138000', text: '5', replyId: 'aliyun:77' },
    ]);
    expect(() => a.receipts({ nope: true })).toThrow();
  });
});

describe('Tencent adapter', () => {
  const cfg = TencentSmsSchema.parse({ kind: 'tencent', secretId: 'AKIDtest', secretKey: 'sk-test', smsSdkAppId: '1400006666', signName: '政务服务', templateId: '1110' });
  // A deadline a loaded machine meets (a first request in a test process can take longer than 300 ms); the timeout case sets its own.
  const adapter = (deadlineMs = 5000) => new TencentSms({ ...cfg, endpoint: url }, deadlineMs);

  it('SendSms 2021-01-11: JSON body, X-TC headers, TC3 signature over what was sent', async () => {
    reply({ Response: { SendStatusSet: [{ SerialNo: '5000:1045710669157053657849499619', Code: 'Ok', SessionContext: 'out0001' }], RequestId: 'r' } });
    expect(await adapter().send(msg, NOW)).toEqual({ kind: 'accepted', providerId: '5000:1045710669157053657849499619' });
    const h = seen!.headers;
    expect(h).toMatchObject({
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-region': 'ap-guangzhou',
      'x-tc-timestamp': String(NOW / 1000),
      'content-type': 'application/json; charset=utf-8',
    });
    expect(JSON.parse(seen!.body)).toEqual({
      PhoneNumberSet: ['+8613800138000'],
      SmsSdkAppId: '1400006666',
      SignName: '政务服务',
      TemplateId: '1110',
      TemplateParamSet: [msg.hall, msg.link],
      SessionContext: 'out0001',
    });
    const expected = tc3Authorization({
      secretId: 'AKIDtest',
      secretKey: 'sk-test',
      service: 'sms',
      host: String(h.host),
      timestamp: NOW / 1000,
      payload: seen!.body,
      contentType: String(h['content-type']),
    });
    expect(h.authorization).toBe(expected.authorization);
    expect(h.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDtest\/2026-12-02\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/);
  });

  it('per-number codes and call-level errors', async () => {
    reply({ Response: { SendStatusSet: [{ SerialNo: '', Code: 'LimitExceeded.PhoneNumberThirtySecondLimit' }] } });
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'rate-limited' });
    reply({ Response: { SendStatusSet: [{ SerialNo: '', Code: 'InvalidParameterValue.IncorrectPhoneNumber' }] } });
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'bad-number' });
    reply({ Response: { Error: { Code: 'RequestLimitExceeded', Message: 'x' } } });
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'rate-limited' });
    reply({ Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'x' } } });
    expect(await adapter().send(msg, NOW)).toMatchObject({ kind: 'rejected' });
  });

  it('PullSmsSendStatusByPhoneNumber finds a send by SessionContext; parses callbacks', async () => {
    reply({ Response: { PullSmsSendStatusSet: [{ SerialNo: 's1', ReportStatus: 'SUCCESS', SessionContext: 'out0001' }] } });
    expect(await adapter().query({ outId: 'out0001', phone: '13800138000', providerId: null, attemptAt: NOW - 60_000 }, NOW)).toEqual({
      kind: 'found',
      providerId: 's1',
      status: 'delivered',
      code: 'SUCCESS',
    });
    expect(seen!.headers['x-tc-action']).toBe('PullSmsSendStatusByPhoneNumber');
    expect(JSON.parse(seen!.body)).toMatchObject({ PhoneNumber: '+8613800138000', SmsSdkAppId: '1400006666', Offset: 0 });
    const a = adapter();
    expect(a.receipts([{ user_receive_time: '', nationcode: '86', mobile: '13800138000', report_status: 'FAIL', errmsg: 'MK:0001', description: '', sid: 's1' }])[0]).toMatchObject(
      {
        providerId: 's1',
        delivered: false,
      },
    );
    const one = { extend: '', mobile: '13800138000', nationcode: '86', sign: 's', text: '4', time: 1457336869 };
    expect(a.replies(one)[0]!.replyId).toBe(a.replies(one)[0]!.replyId);
  });
});

describe('云MAS adapter', () => {
  const cfg = CmccMasSmsSchema.parse({ kind: 'cmcc-mas', ecName: '模拟政务大厅', apId: 'ap1', secretKey: 'k1', sign: 'SIGN01' });
  // A deadline a loaded machine meets (a first request in a test process can take longer than 300 ms); the timeout case sets its own.
  const adapter = (deadlineMs = 5000) => new CmccMasSms({ ...cfg, endpoint: url }, deadlineMs);

  it('norsubmit: base64 JSON with the mac; msgGroup is the id; no query', async () => {
    reply({ rspcod: 'success', msgGroup: 'g-1', success: true });
    expect(await adapter().send(msg)).toEqual({ kind: 'accepted', providerId: 'g-1' });
    const sent = JSON.parse(Buffer.from(seen!.body, 'base64').toString('utf8'));
    const mac = createHash('md5').update(`模拟政务大厅ap1k113800138000${msg.text}SIGN01`).digest('hex');
    expect(sent).toEqual({ ecName: '模拟政务大厅', apId: 'ap1', mobiles: '13800138000', content: msg.text, sign: 'SIGN01', addSerial: '', mac });
    reply({ rspcod: 'IllegalMac', success: false });
    expect(await adapter().send(msg)).toMatchObject({ kind: 'rejected', code: 'IllegalMac' });
    expect(await adapter().query()).toEqual({ kind: 'unsupported' });
    expect(adapter().receipts({ reportStatus: 'DELIVRD', mobile: '13800138000', msgGroup: 'g-1', errorCode: 'DELIVRD' })[0]).toMatchObject({ providerId: 'g-1', delivered: true });
  });
});
