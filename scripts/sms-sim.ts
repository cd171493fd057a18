/**
 * A standalone SMS provider simulator (scripts/sms-sim/sim-server.ts) for trying the gateway's
 * `sms` section by hand: `npm run sms-sim -- --protocol aliyun --port 8790 --gateway http://127.0.0.1:8080 --token <callbackToken>`.
 * Credentials are the fixed test ones printed at start; faults are off unless --faults is given.
 */
import { parseArgs } from 'node:util';
import { SmsSim } from './sms-sim/sim-server.js';
import type { SimProtocol } from './sms-sim/sim-protocols.js';

const { values } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'aliyun' },
    port: { type: 'string', default: '8790' },
    gateway: { type: 'string', default: 'http://127.0.0.1:8080' },
    token: { type: 'string', default: 'sms-callback-token-0001' },
    faults: { type: 'boolean', default: false },
  },
});
const protocol = values.protocol as SimProtocol;
if (!['aliyun', 'tencent', 'cmcc-mas'].includes(protocol)) throw new Error('--protocol must be aliyun, tencent or cmcc-mas');
const credentials = {
  aliyun: { accessKeyId: 'sim-key-id', accessKeySecret: 'sim-key-secret' },
  tencent: { secretId: 'AKIDsim', secretKey: 'sim-secret-key' },
  mas: { ecName: '模拟政务大厅', apId: 'sim-ap', secretKey: 'sim-mas-secret' },
};
const sim = new SmsSim({
  protocol,
  credentials,
  port: Number(values.port),
  ...(values.faults
    ? { faults: { timeoutAfterAcceptEvery: 3, timeoutBeforeAcceptEvery: 5, rateLimitEvery: 4, badNumberPrefixes: ['1990000'], duplicateReceipts: true, receiptDelayMs: 500 } }
    : {}),
});
const url = await sim.start();
sim.receiptUrl = `${values.gateway}/api/sms/callbacks/${values.token}/receipts`;
sim.replyUrl = `${values.gateway}/api/sms/callbacks/${values.token}/replies`;
console.log(`SMS simulator (${protocol}) at ${url}; credentials ${JSON.stringify(credentials)}; receipts to ${sim.receiptUrl}`);
process.on('SIGINT', () => void sim.stop().then(() => process.exit(0)));
