/**
 * Issue 15, "TLS", must show: the certificates of `gateway make-tls` used for real. The gateway
 * program serves HTTPS and MQTTS with them; a device given the printed CA file enrols and its
 * rating reaches the console; anything trusting another hall's CA is refused; and a renewal keeps
 * the CA, so after the gateway restarts the same device carries on without being touched.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../../scripts/lib/device-process.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { caFileFrom, gatewayCli, httpsJson, serveGateway, type ServingGateway } from './tls-support.js';

const dir = mkdtempSync(join(tmpdir(), 'hcp-hall-tls-'));
const configFile = join(dir, 'gateway.json');
const devices: RunningDevice[] = [];
let gw: ServingGateway;
let caFile: string;
let ca: Buffer;
let token: string;

const api = (method: string, path: string, body?: unknown) => httpsJson(`${gw.http}${path}`, ca, { method, token, body });
const ratingsOf = async (deviceId: string) => ((await api('GET', '/api/ratings')).body as Array<{ deviceId: string; level: number }>).filter((r) => r.deviceId === deviceId);

/** The staff member badges in (a second tap would log them out), a citizen is invited and rates. */
async function rateOnce(device: RunningDevice, level: number, badge = true) {
  if (badge) await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
  await device.api('POST', '/api/invite');
  expect((await device.api('POST', '/api/rate', { level })).status).toBe(200);
}

/** A device registered in the console and started with `caFile` as its gateway.caFile. */
async function deviceWithCa(deviceId: string, deviceCaFile: string): Promise<RunningDevice> {
  const { code } = (await api('POST', '/api/devices', { deviceId, windowId: 'w-01' })).body as { code: string };
  const device = await startDevice({
    deviceId,
    dir: join(dir, deviceId),
    config: {
      gateway: { url: gw.http, mqttUrl: `mqtts://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code, caFile: deviceCaFile, retry: { initialMs: 200, maxMs: 1000 } },
    },
  });
  devices.push(device);
  return device;
}

function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((res, rej) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const raw = s.getPeerX509Certificate();
      s.end();
      raw ? res(raw) : rej(new Error('no certificate'));
    });
    s.once('error', rej);
  });
}

beforeAll(async () => {
  // Fixed ports: the device keeps its addresses across the gateway's restart, as in a hall.
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  writeFileSync(configFile, JSON.stringify({ dataDir: 'data', http: { port: httpPort }, mqtt: { port: mqttPort }, hall: { hallName: '廊坊市政务服务中心' } }));
  const made = gatewayCli(['make-tls', '--config', configFile]);
  expect(made.stderr).toBe('');
  caFile = caFileFrom(made.stdout);
  ca = readFileSync(caFile);
  expect(gatewayCli(['create-admin', '--config', configFile, '--user', 'hall-it'], { env: { ...process.env, HCP_ADMIN_PASSWORD: 'tls-test-password' } }).status).toBe(0);
  gw = await serveGateway(configFile);
  token = (await httpsJson(`${gw.http}/api/login`, ca, { method: 'POST', body: { username: 'hall-it', password: 'tls-test-password' } })).body.token;
  await api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  await api('PUT', '/api/staff', { ...DEMO_STAFF, windowId: 'w-01' });
}, 180_000);

afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await gw?.stop();
});

describe("the hall's certificates from make-tls", () => {
  it('the gateway serves https and mqtts; a device given the CA file enrols and its rating reaches the console', async () => {
    expect(gw.http).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const device = await deviceWithCa('dev-tls-ok', caFile);
    await waitFor(async () => (await device.api('GET', '/api/state')).body.window?.id === 'w-01', { what: 'the config over TLS' });
    await rateOnce(device, 5);
    const ratings = await waitFor(async () => ((await ratingsOf('dev-tls-ok')).length === 1 ? ratingsOf('dev-tls-ok') : undefined), { what: 'the rating in the console' });
    expect(ratings.map((r) => r.level)).toEqual([5]);
    // The provisioning sheet shows the fingerprint of the very file the device was given.
    const sheet = (await api('GET', '/api/provisioning')).body as { caCertificates: Array<{ sha256: string }> };
    expect(sheet.caCertificates.map((c) => c.sha256)).toEqual([new X509Certificate(ca).fingerprint256]);
  }, 120_000);

  it("anything trusting another hall's CA is refused: https, mqtts, and a device", async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'hcp-other-hall-'));
    writeFileSync(join(otherDir, 'gateway.json'), JSON.stringify({ dataDir: 'data', hall: { hallName: '另一个政务服务中心' } }));
    const otherCaFile = caFileFrom(gatewayCli(['make-tls', '--config', join(otherDir, 'gateway.json')]).stdout);
    const otherCa = readFileSync(otherCaFile);

    await expect(httpsJson(`${gw.http}/health`, otherCa)).rejects.toThrow(/unable to verify|self[- ]signed|certificate/i);
    const mqttError = await new Promise<string>((res) => {
      const c = mqtt.connect(`mqtts://127.0.0.1:${gw.mqttPort}`, { ca: otherCa, clientId: 'x', username: 'x', password: 'x', reconnectPeriod: 0 });
      c.once('error', (e) => {
        c.end(true);
        res(e.message);
      });
      c.once('connect', () => res('connected'));
    });
    expect(mqttError).toMatch(/unable to verify|self[- ]signed|certificate/i);

    const device = await deviceWithCa('dev-tls-wrong-ca', otherCaFile);
    await waitFor(() => /cannot reach the gateway to enrol/.test(device.stderr()), { what: "the device's enrolment warning", stallMs: 30_000 });
    expect(device.stderr()).toMatch(/unable to verify|self[- ]signed|certificate/i);
    await rateOnce(device, 4);
    expect((await device.api('GET', '/api/status')).body.backlog).toBe(1);
    expect(await ratingsOf('dev-tls-wrong-ca')).toEqual([]);
  }, 120_000);

  it('a second run renews the gateway certificate and keeps the CA: the same device carries on after a restart', async () => {
    const before = new X509Certificate(readFileSync(join(dir, 'tls/gw.pem')));
    const renewed = gatewayCli(['make-tls', '--config', configFile, '--days', '30']);
    expect(renewed.status).toBe(0);
    expect(renewed.stdout).toMatch(/hall CA .*\(kept; expires/);
    expect(renewed.stdout).toMatch(/gateway .*\(renewed; expires/);
    expect(readFileSync(caFile)).toEqual(ca);
    const after = new X509Certificate(readFileSync(join(dir, 'tls/gw.pem')));
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.publicKey.equals(before.publicKey)).toBe(false);
    const daysLeft = (new Date(after.validTo).getTime() - Date.now()) / 86_400_000;
    expect(daysLeft).toBeGreaterThan(29);
    expect(daysLeft).toBeLessThan(31);
    expect(renewed.stdout).toContain(`expires ${new Date(after.validTo).toISOString().slice(0, 10)}`);

    const { http, mqttPort } = gw;
    await gw.stop();
    gw = await serveGateway(configFile);
    expect([gw.http, gw.mqttPort]).toEqual([http, mqttPort]);
    expect((await servedCertificate(gw.mqttPort)).fingerprint256).toBe(after.fingerprint256);
    const device = devices.find((d) => d.configFile.includes('dev-tls-ok'))!;
    await rateOnce(device, 3, false);
    await waitFor(async () => (await ratingsOf('dev-tls-ok')).length === 2, { what: 'the second rating after the renewal' });
  }, 180_000);
});
