/**
 * Each adapter against the simulator speaking its provider's protocol (scripts/sms-sim): the
 * simulator checks the signature, takes the send, and pushes a receipt the adapter can read; a
 * wrong secret is refused with the provider's own error. And the feature refuses to start
 * without hall.qrBaseUrl, and its callbacks refuse a wrong token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsMessage, SmsNotifier } from '../../gateway/sms/notifier.js';
import { createSmsNotifier } from '../../gateway/sms/providers/index.js';
import { SmsProviderSchema } from '../../gateway/sms/sms-config.js';
import { SmsSim } from '../../scripts/sms-sim/sim-server.js';
import type { SimProtocol } from '../../scripts/sms-sim/sim-protocols.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

const creds = {
  aliyun: { accessKeyId: 'id-1', accessKeySecret: 'secret-1' },
  tencent: { secretId: 'AKID-1', secretKey: 'secret-2' },
  mas: { ecName: '模拟政务大厅', apId: 'ap-1', secretKey: 'secret-3' },
};
const providerConfig = (p: SimProtocol, endpoint: string, wrong = false) =>
  SmsProviderSchema.parse(
    p === 'aliyun'
      ? { kind: p, endpoint, accessKeyId: 'id-1', accessKeySecret: wrong ? 'nope' : 'secret-1', signName: 's', templateCode: 'SMS_1' }
      : p === 'tencent'
        ? { kind: p, endpoint, secretId: 'AKID-1', secretKey: wrong ? 'nope' : 'secret-2', smsSdkAppId: '1400000001', signName: 's', templateId: '1' }
        : { kind: p, endpoint: `${endpoint}sms/norsubmit`, ecName: '模拟政务大厅', apId: 'ap-1', secretKey: wrong ? 'nope' : 'secret-3', sign: 'SIGN' },
  );

let pushes: unknown[] = [];
let capture: Server;
let captureUrl = '';
beforeAll(async () => {
  capture = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    pushes.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    res.end('{}');
  });
  await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
  captureUrl = `http://127.0.0.1:${(capture.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  capture.closeAllConnections();
  await new Promise((r) => capture.close(r));
});

const msg: SmsMessage = { outId: 'out-sim-1', phone: '13800138000', hall: '大厅', link: 'https://hall.example/c/x', text: '请评价 https://hall.example/c/x' };

describe.each(['aliyun', 'tencent', 'cmcc-mas'] as const)('%s adapter against the simulator', (protocol) => {
  it('signed send accepted, receipt readable, query where the provider has one; a wrong secret refused', async () => {
    pushes = [];
    const sim = new SmsSim({ protocol, credentials: creds });
    const url = await sim.start();
    sim.receiptUrl = captureUrl;
    try {
      const adapter: SmsNotifier = createSmsNotifier(providerConfig(protocol, url), 1000);
      const sent = await adapter.send(msg, Date.now());
      expect(sent.kind).toBe('accepted');
      expect(sim.delivered('13800138000')).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100));
      const [receipt] = adapter.receipts(pushes[0]);
      expect(receipt).toMatchObject({ delivered: true, providerId: sent.kind === 'accepted' ? sent.providerId : '' });
      const q = await adapter.query({ outId: msg.outId, phone: msg.phone, providerId: null, attemptAt: Date.now() }, Date.now());
      expect(q.kind).toBe(protocol === 'cmcc-mas' ? 'unsupported' : 'found');
      const wrong = await createSmsNotifier(providerConfig(protocol, url, true), 1000).send(msg, Date.now());
      expect(wrong.kind).toBe('rejected');
      expect(sim.stats.badSignature).toBe(1);
      expect(sim.delivered('13800138000')).toHaveLength(1);
    } finally {
      await sim.stop();
    }
  });
});

describe('the sms feature at the gateway', () => {
  const sms = {
    provider: { kind: 'aliyun', endpoint: 'http://127.0.0.1:9/', accessKeyId: 'a', accessKeySecret: 'b', signName: 'c', templateCode: 'd' },
    callbackToken: 'token-0123456789abcdef',
  };

  it('refuses to start without hall.qrBaseUrl, naming it', async () => {
    await expect(startInProcessGateway({ sections: { sms } })).rejects.toThrow(/hall\.qrBaseUrl is not set/);
  });

  it('answers a callback only under its token', async () => {
    const gw = await startInProcessGateway({ sections: { sms, hall: { hallName: '大厅', qrBaseUrl: 'https://hall.example/p' } } });
    try {
      const post = (path: string, body: unknown) => fetch(`${gw.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/api/sms/callbacks/wrong-token-0123456789/replies', [])).status).toBe(404);
      expect((await post('/api/sms/callbacks/token-0123456789abcdef/receipts', { not: 'a report' })).status).toBe(400);
      const ok = await post('/api/sms/callbacks/token-0123456789abcdef/receipts', []);
      expect(await ok.json()).toEqual({ code: 0, msg: '接收成功' });
    } finally {
      await gw.stop();
    }
  });
});
