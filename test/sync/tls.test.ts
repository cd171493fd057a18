/**
 * MQTT and HTTP over TLS with the hall's own CA (issue 3, "Enrolment and identity"): the device
 * verifies the gateway's certificate against the CA file in its config, enrols over HTTPS (its MQTT
 * password never crosses the LAN in clear), and syncs over mqtts; a client that does not trust the
 * hall CA cannot connect to either.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { startInProcessGateway } from './gateway-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'hcp-tls-'));
const f = (n: string) => join(dir, n);
let gw: Gateway;
let device: RunningDevice | undefined;

beforeAll(async () => {
  // A hall CA and a gateway certificate for 127.0.0.1, made with openssl as hall IT would.
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=hcp hall CA');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'gw.key', '-out', 'gw.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'gw.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'gw.pem', '-days', '30', '-extfile', 'san.ext');
  const tls = { keyFile: f('gw.key'), certFile: f('gw.pem') };
  gw = await startInProcessGateway({ mqtt: { port: 0, tls }, http: { tls } });
  await gw.registry.upsertStaff({ ...DEMO_STAFF, windowId: 'w-01' });
});
afterAll(async () => {
  await device?.stop();
  await gw?.stop();
});

describe('MQTT and HTTP over TLS', () => {
  it('a device trusting the hall CA enrols over https and syncs over mqtts', async () => {
    expect(gw.httpUrl).toMatch(/^https:/);
    const { code } = await gw.enrolment.registerDevice('dev-tls-1', 'w-01');
    device = await startDevice({
      deviceId: 'dev-tls-1',
      dir: join(dir, 'dev'),
      config: { gateway: { url: gw.httpUrl, mqttUrl: `mqtts://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code, caFile: f('ca.pem') } },
    });
    const end = Date.now() + 10_000;
    while ((await device.api('GET', '/api/state')).body.window.id !== 'w-01') {
      if (Date.now() > end) throw new Error(`no config over TLS: ${device.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    await device.api('POST', '/api/invite');
    expect((await device.api('POST', '/api/rate', { level: 5 })).status).toBe(200);
    while ((await device.api('GET', '/api/status')).body.backlog > 0) await new Promise((r) => setTimeout(r, 100));
    expect(await gw.store.db.selectFrom('records').select('id').where('device_id', '=', 'dev-tls-1').execute()).toHaveLength(1);
  });

  it('a client that does not trust the hall CA cannot connect', async () => {
    const error = await new Promise<string>((res) => {
      const c = mqtt.connect(`mqtts://127.0.0.1:${gw.mqttPort}`, { clientId: 'dev-tls-1', username: 'dev-tls-1', password: 'x', reconnectPeriod: 0 });
      c.once('error', (e) => {
        c.end(true);
        res(e.message);
      });
    });
    expect(error).toMatch(/self[- ]signed|unable to verify|certificate/i);
    await expect(fetch(`${gw.httpUrl}/health`)).rejects.toThrow();
  });

  it('plain HTTP or MQTT off loopback must be asked for by name', async () => {
    const { gatewayConfigSchema } = await import('../../gateway/config/gateway-config.js');
    const { GATEWAY_FEATURES } = await import('../../gateway/features.js');
    const schema = gatewayConfigSchema(GATEWAY_FEATURES);
    const base = { dataDir: dir, hall: { hallName: 'x' } };
    const r = schema.safeParse({ ...base, http: { host: '0.0.0.0' }, mqtt: { host: '0.0.0.0' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['http.tls', 'mqtt.tls']);
    expect(schema.safeParse({ ...base, http: { host: '0.0.0.0', allowPlainHttp: true }, mqtt: { host: '0.0.0.0', allowPlainTcp: true } }).success).toBe(true);
  });
});
