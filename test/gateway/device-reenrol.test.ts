/**
 * Issue 11, hall IT's device screens: a fresh one-time code for a registered device (after a wiped
 * store) whose current credentials keep working until it enrols with the code, the code shown only
 * at that moment and never stored in clear; and what a provisioning sheet prints besides the code —
 * the addresses devices use, the hall's name, and with TLS the hall CA's SHA-256 fingerprint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { provisioningSheet } from '../../gateway/enrolment/provisioning.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
let it1: ConsoleClient;
const mqttUrl = () => `mqtt://127.0.0.1:${gw.mqttPort}`;

beforeAll(async () => {
  gw = await startInProcessGateway();
  await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
  it1 = await loggedIn(gw, 'it1', 'it-password-0001');
});
afterAll(async () => gw?.stop());

describe('re-enrolment from the console', () => {
  it('gives a fresh code; the old credentials work until the device enrols with it', async () => {
    const dev = new ScriptedDevice('dev-re', 'w-01', gw.httpUrl);
    expect((await dev.enrol((await gw.enrolment.registerDevice('dev-re', 'w-01')).code)).status).toBe(200);
    const oldCreds = dev.creds!;
    await dev.connect(mqttUrl());
    expect((await dev.send([dev.rating(5)])).committedThroughSeq).toBe(1);

    const first = await it1.call('POST', '/api/devices/dev-re/reenrol');
    expect(first.status).toBe(200);
    expect(first.body.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // The live session stays, and so do the credentials across a reconnection.
    expect((await dev.send([dev.rating(4)])).committedThroughSeq).toBe(2);
    await dev.close();
    await dev.connect(mqttUrl());
    expect((await dev.send([dev.rating(3)])).committedThroughSeq).toBe(3);
    await dev.close();

    // A second code voids the first; the code is never stored or recorded in clear.
    const second = await it1.call('POST', '/api/devices/dev-re/reenrol');
    const stored = JSON.stringify([await gw.store.db.selectFrom('enrolment_codes').selectAll().execute(), await gw.store.db.selectFrom('audit_log').selectAll().execute()]);
    for (const c of [first.body.code, second.body.code]) expect(stored).not.toContain(c);

    // The store is wiped: a new key enrols with the newest code, in a new epoch; the old password is void.
    dev.wipe();
    expect((await dev.enrol(first.body.code)).status).toBe(403);
    expect((await dev.enrol(second.body.code)).status).toBe(200);
    await dev.connect(mqttUrl());
    expect((await dev.send([dev.rating(5)])).committedThroughSeq).toBe(1);
    await dev.close();
    expect((await gw.store.db.selectFrom('devices').select('current_epoch').where('device_id', '=', 'dev-re').executeTakeFirstOrThrow()).current_epoch).toBe(2);
    const stale = new ScriptedDevice('dev-re', 'w-01', gw.httpUrl);
    stale.creds = { ...oldCreds, keyProof: 'none' };
    await expect(stale.connect(mqttUrl(), { password: oldCreds.password })).rejects.toThrow();
    // Refused for its password (checked before the key proof): it was replaced at enrolment.
    const refusals = () => gw.store.db.selectFrom('security_events').select(['kind', 'detail']).where('client_id', '=', 'dev-re').execute();
    for (const end = Date.now() + 5000; (await refusals()).length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    expect(await refusals()).toEqual([{ kind: 'connect-refused', detail: 'wrong password' }]);

    const audit = await gw.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'device-code-reissued').execute();
    expect(audit.map((a) => [a.actor, a.subject, JSON.parse(a.detail!).windowId])).toEqual([
      ['it1', 'dev-re', 'w-01'],
      ['it1', 'dev-re', 'w-01'],
    ]);
    expect(audit[0]!.remote).toMatch(/127\.0\.0\.1/);
  });

  it('only for a registered device that is not retired', async () => {
    expect((await it1.call('POST', '/api/devices/dev-none/reenrol')).status).toBe(404);
    expect((await it1.call('POST', '/api/devices/Not_An_Id/reenrol')).body.message).toMatch(/^deviceId: /);
    await gw.enrolment.registerDevice('dev-old-1', 'w-02');
    await gw.enrolment.retire('dev-old-1');
    expect((await it1.call('POST', '/api/devices/dev-old-1/reenrol')).status).toBe(410);
  });
});

describe('the provisioning sheet', () => {
  it('gives the addresses the console reached (when none are configured) and the hall name, never a code', async () => {
    const sheet = await it1.call('GET', '/api/provisioning');
    expect(sheet.status).toBe(200);
    expect(sheet.body).toEqual({
      hallName: '测试大厅',
      httpUrl: gw.httpUrl,
      mqttUrl: mqttUrl(),
      guessed: ['httpUrl', 'mqttUrl'],
      tls: { http: false, mqtt: false },
      caCertificates: [],
    });
  });

  it('with TLS: the configured addresses and the hall CA fingerprint as openssl prints it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-prov-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString();
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=hcp hall CA');
    writeFileSync(join(dir, 'gw.key'), 'unused here');
    const tls = { keyFile: 'gw.key', certFile: 'ca.pem', caFile: 'ca.pem' };
    const config = parseGatewayConfig(
      {
        dataDir: 'data',
        http: { host: '0.0.0.0', port: 8443, tls, publicUrl: 'https://gateway.hall.local:8443' },
        mqtt: { host: '0.0.0.0', port: 8883, tls, publicUrl: 'mqtts://gateway.hall.local:8883' },
        hall: { hallName: '廊坊市政务服务中心' },
      },
      GATEWAY_FEATURES,
      dir,
    );
    const sheet = provisioningSheet(config, { httpUrl: 'https://0.0.0.0:8443', mqttPort: 8883 }, 'console.example');
    const openssl = ssl('x509', '-in', 'ca.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1];
    expect(sheet).toEqual({
      hallName: '廊坊市政务服务中心',
      httpUrl: 'https://gateway.hall.local:8443',
      mqttUrl: 'mqtts://gateway.hall.local:8883',
      guessed: [],
      tls: { http: true, mqtt: true },
      caCertificates: [{ usedFor: ['http', 'mqtt'], sha256: openssl, subject: 'CN=hcp hall CA', validTo: expect.any(String) }],
    });
    // Without configured addresses: the console's host, with the ports it listens on and TLS schemes.
    const guessed = provisioningSheet(
      { ...config, http: { ...config.http, publicUrl: undefined }, mqtt: { ...config.mqtt, publicUrl: undefined } },
      { httpUrl: 'https://0.0.0.0:8443', mqttPort: 8883 },
      'gw.hall',
    );
    expect(guessed).toMatchObject({ httpUrl: 'https://gw.hall:8443', mqttUrl: 'mqtts://gw.hall:8883', guessed: ['httpUrl', 'mqttUrl'] });
  });
});
