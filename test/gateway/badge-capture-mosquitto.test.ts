/**
 * Issue 11, badge capture through a site broker (Debian's mosquitto): the ACL the gateway writes
 * from the contract lets a device read its own `command` topic and write its own `badge` topic, and
 * the tap reaches the gateway through its shared subscription. The gateway cannot see subscriptions
 * there, so it asks any device that is online.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/free-port.js';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { loggedIn, type ConsoleClient, type ConsoleReply } from '../support/console-client.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { writeMosquittoConf } from '../support/mosquitto-conf.js';

const until = async (what: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

const dir = mkdtempSync(join(tmpdir(), 'hcp-cap-mosq-'));
const aclFile = join(dir, 'acl');
let mosquitto: ChildProcess;
let gw: Gateway;
let device: RunningDevice;
let it1: ConsoleClient;
let port: number;

beforeAll(async () => {
  port = await freePort();
  // As test/sync/mosquitto.test.ts.
  const { conf, passwordFile } = writeMosquittoConf(dir, { port, usernameAsClientId: true });
  mosquitto = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const reload = ['sh', '-c', `kill -HUP ${mosquitto.pid}`];
  gw = await startInProcessGateway({
    mqtt: {
      requireKeyProof: false,
      external: { url: `mqtt://127.0.0.1:${port}`, username: 'hcp-gateway', password: 'gateway-secret-2026', passwordFile, aclFile, reloadCommand: reload },
    },
  });
  await gw.registry.upsertStaff({ ...DEMO_STAFF, windowId: 'w-01' });
  await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
  it1 = await loggedIn(gw, 'it1', 'it-password-0001');
  const { code } = await gw.enrolment.registerDevice('dev-mq-1', 'w-01');
  device = await startDevice({
    deviceId: 'dev-mq-1',
    dir: join(dir, 'dev'),
    config: { logLevel: 'info', gateway: { url: gw.httpUrl, mqttUrl: `mqtt://127.0.0.1:${port}`, enrolmentCode: code } },
  });
  await until(async () => (await device.api('GET', '/api/state')).body.window.id === 'w-01', 20_000);
});
afterAll(async () => {
  await device?.stop();
  await gw?.stop();
  mosquitto?.kill('SIGTERM');
});

describe('badge capture through mosquitto', () => {
  it('the command and the tap pass the ACL the gateway wrote', async () => {
    const acl = readFileSync(aclFile, 'utf8');
    expect(acl).toContain('pattern read hcp/v1/dev/%u/command');
    expect(acl).toContain('pattern write hcp/v1/dev/%u/badge');

    let started: ConsoleReply | undefined;
    await until(async () => (started = await it1.call('POST', '/api/devices/dev-mq-1/capture-badge', {})).status === 200, 10_000);
    const { captureId } = started!.body as { captureId: string };
    // The command and the tap travel on different sockets: tap once the device has the capture open.
    await until(async () => device.stderr().includes(`"captureId":"${captureId}"`), 10_000);
    expect((await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] })).status).toBe(200);
    await until(async () => (await it1.call('GET', `/api/badge-captures/${captureId}`)).body.state === 'captured', 10_000);
    expect((await it1.call('GET', `/api/badge-captures/${captureId}`)).body.uid).toBe(DEMO_STAFF.badgeUids[0]);
    expect((await device.api('GET', '/api/state')).body.staff).toBeNull();
    expect(device.stderr()).not.toMatch(/refused the command topic/);
  });
});
