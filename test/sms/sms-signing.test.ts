/**
 * The providers' signatures against the examples they publish (gateway/sms/providers/signing.ts):
 * Aliyun's RPC signing example ("签名机制", testsecret → OLeaidS1JvxuMvnyHOwuJ+uX5qY=) and the
 * vector in Alibaba Cloud's own C++ SDK tests; Tencent's TC3-HMAC-SHA256 worked example (CVM
 * DescribeInstances, 1551113065 → 72e494ea…); 云MAS's mac against md5 computed outside Node.
 */
import { describe, expect, it } from 'vitest';
import { aliyunPercentEncode, aliyunSignature, aliyunStringToSign, masMac, tc3Authorization } from '../../gateway/sms/providers/signing.js';

describe('provider signatures', () => {
  it('Aliyun RPC: the documented string-to-sign and signature', () => {
    const params = {
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      Format: 'XML',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    };
    expect(aliyunStringToSign('GET', params)).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(aliyunSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    const sdk = { ...params, Format: 'XML', RegionId: 'region1', SignatureNonce: 'NwDAxvLU6tFE0DVb', Version: '2013-01-10' } as Record<string, string>;
    delete sdk.Timestamp;
    sdk.TimeStamp = '2012-12-26T10:33:56Z';
    expect(aliyunSignature('GET', sdk, 'testsecret')).toBe('axE3FUHgDyfm9/+Iep0HpZXrRwE=');
  });

  it('Aliyun percent-encoding: space %20, * %2A, ~ kept, UTF-8 bytes', () => {
    expect(aliyunPercentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
    expect(aliyunPercentEncode('评价')).toBe('%E8%AF%84%E4%BB%B7');
  });

  it('Tencent TC3-HMAC-SHA256: the documented worked example', () => {
    const payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
    const r = tc3Authorization({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      payload,
      contentType: 'application/json; charset=utf-8',
    });
    expect(r.canonicalRequest).toBe(
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
    expect(r.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(r.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it('云MAS mac: md5 of ecName apId secretKey mobiles content sign addSerial, lowercase hex', () => {
    // printf '%s' '模拟政务大厅sim-apsim-mas-secret13800138000您好，请评价abc123' | md5sum
    expect(masMac({ ecName: '模拟政务大厅', apId: 'sim-ap', mobiles: '13800138000', content: '您好，请评价', sign: 'abc123', addSerial: '' }, 'sim-mas-secret')).toBe(
      'cc54843c07e67c27b19a0a308d192fa3',
    );
  });
});
