/**
 * Issue 10, hole 15: each refused connection used to be a row and a log line, so unauthenticated
 * traffic could fill the disk. Now repeats are counted into one row per kind and source, log lines
 * are one per source plus a summary, and an address past the limit is turned away cheaply.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

let gw: Gateway;
const logs: string[] = [];
beforeAll(async () => {
  gw = await startInProcessGateway({ logLines: logs });
});
afterAll(async () => gw?.stop());

function attempt(i: number): Promise<void> {
  return new Promise((resolve) => {
    const id = `dev-scan-${i}`;
    const c = mqtt.connect(`mqtt://127.0.0.1:${gw.mqttPort}`, { clientId: id, username: id, password: 'guess', reconnectPeriod: 0, connectTimeout: 5000 });
    const done = () => {
      c.end(true);
      resolve();
    };
    c.once('error', done);
    c.once('close', done);
  });
}

describe('a flood of refused connections', () => {
  it('is recorded as a flood: a few rows with counts and a few log lines, not one per packet', async () => {
    const N = 1500;
    for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => attempt(i + k)));
    await gw.auth.createUser('it', 'it-password-123', 'hall-it');
    const login = await gw.auth.login('it', 'it-password-123', null);
    const rows = (await (await fetch(`${gw.httpUrl}/api/security-events`, { headers: { authorization: `Bearer ${login.ok ? login.token : ''}` } })).json()) as Array<{
      kind: string;
      count: number;
      remote: string;
    }>;
    expect(rows.reduce((a, r) => a + r.count, 0)).toBe(N);
    expect(rows.length).toBeLessThanOrEqual(4);
    // Past the limit the address was turned away without a database read or a password hash.
    expect(rows.find((r) => r.kind === 'connect-flood')!.count).toBeGreaterThan(N - 100);
    expect(logs.filter((l) => l.includes('"ns":"security"')).length).toBeLessThanOrEqual(4);
  });
});
