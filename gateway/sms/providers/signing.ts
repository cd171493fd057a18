/**
 * The signatures the providers require, as pure functions tested against the providers' own
 * published examples (test/sms/sms-signing.test.ts):
 *  - Aliyun RPC (Dysmsapi 2017-05-25): HMAC-SHA1 over `METHOD&%2F&percent(canonical query)`,
 *    keyed with `AccessKeySecret + "&"` (help.aliyun.com "签名机制").
 *  - Tencent Cloud API 3.0: TC3-HMAC-SHA256 (cloud.tencent.com/document/api/382 "签名方法 v3").
 *  - China Mobile 云MAS HTTP: mac = md5(ecName + apId + secretKey + mobiles + content + sign + addSerial), lowercase hex.
 */
import { createHash, createHmac } from 'node:crypto';

/** Aliyun's percent-encoding: RFC 3986 unreserved kept, space as %20, `*` as %2A, `~` kept. */
export function aliyunPercentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function aliyunStringToSign(method: 'GET' | 'POST', params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunPercentEncode(k)}=${aliyunPercentEncode(params[k] ?? '')}`)
    .join('&');
  return `${method}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(canonical)}`;
}

export function aliyunSignature(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(aliyunStringToSign(method, params)).digest('base64');
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac256 = (key: Buffer | string, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  /** Unix seconds. */
  timestamp: number;
  payload: string;
  contentType: string;
}

/** The Authorization header of a TC3-HMAC-SHA256 POST (signed headers content-type;host). */
export function tc3Authorization(i: Tc3Input): { authorization: string; signature: string; canonicalRequest: string } {
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host';
  const canonicalRequest = ['POST', '/', '', `content-type:${i.contentType}\nhost:${i.host}\n`, signedHeaders, sha256Hex(i.payload)].join('\n');
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(i.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signing = hmac256(hmac256(hmac256(`TC3${i.secretKey}`, date), i.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return { authorization: `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`, signature, canonicalRequest };
}

export interface MasSubmit {
  ecName: string;
  apId: string;
  mobiles: string;
  content: string;
  sign: string;
  addSerial: string;
}

export function masMac(s: MasSubmit, secretKey: string): string {
  return createHash('md5').update(`${s.ecName}${s.apId}${secretKey}${s.mobiles}${s.content}${s.sign}${s.addSerial}`, 'utf8').digest('hex');
}
