/**
 * Issue 10, hole 14: a stolen device password was enough to take over the device's session — the
 * clone and the device kicked each other off, the clone received the case invitations, nothing was
 * recorded. Now a connection must also prove the enrolled key (a signed one-time nonce): the clone
 * is refused at the door without disturbing the device, the attempt is a security event and an
 * alert; and two holders of the key fighting over the session raise a `session-fight` alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
const url = () => `mqtt://127.0.0.1:${gw.mqttPort}`;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());

const alerts = () => gw.alerts.list();
const events = async () => await gw.store.db.selectFrom('security_events').select(['kind', 'client_id', 'count']).execute();

describe('a device session cannot be taken with a password alone', () => {
  it('refuses a clone that has the password but not the key; the device stays connected', async () => {
    const dev = new ScriptedDevice('dev-real', 'w-01', gw.httpUrl);
    await dev.enrol((await gw.enrolment.registerDevice('dev-real', 'w-01')).code);
    expect(dev.creds!.keyProof).toBe('connect');
    await dev.connect(url());
    let kicked = false;
    dev.client!.on('close', () => (kicked = true));

    const clone = new ScriptedDevice('dev-real', 'w-01', gw.httpUrl);
    clone.creds = { ...dev.creds! };
    // The password alone.
    await expect(clone.connect(url(), { password: dev.creds!.password })).rejects.toThrow(/bad user ?name or password/i);
    // The password with a proof signed by another key.
    await expect(clone.connect(url(), { password: await clone.password({ withProof: true }) })).rejects.toThrow(/bad user ?name or password/i);
    // A replayed proof: the device's own, used once already.
    const proof = await dev.password();
    const second = new ScriptedDevice('dev-real', 'w-01', gw.httpUrl);
    second.key = dev.key;
    second.creds = dev.creds;
    const c2 = await second.connect(url(), { password: proof, clientId: 'dev-real' });
    await c2.endAsync(true);
    await expect(clone.connect(url(), { password: proof })).rejects.toThrow(/bad user ?name or password/i);

    await dev.close().catch(() => undefined);
    expect(kicked).toBe(true); // by `second`, which holds the key — not by the clone
    await waitFor(async () => (await events()).some((e) => e.kind === 'key-proof-failed' && e.client_id === 'dev-real'), { what: 'security event' });
    expect(await alerts()).toContainEqual(expect.objectContaining({ kind: 'device-password-misuse', subject: 'dev-real' }));
  });

  it('two holders of the key taking the session from each other raise a session-fight alert', async () => {
    const a = new ScriptedDevice('dev-twin', 'w-01', gw.httpUrl);
    await a.enrol((await gw.enrolment.registerDevice('dev-twin', 'w-01')).code);
    const b = new ScriptedDevice('dev-twin', 'w-01', gw.httpUrl);
    b.key = a.key;
    b.creds = a.creds;
    for (let i = 0; i < 3; i++) {
      await a.connect(url());
      await b.connect(url());
    }
    await waitFor(async () => (await alerts()).find((x) => x.kind === 'session-fight' && x.subject === 'dev-twin'), { what: 'session-fight alert' });
    expect((await events()).some((e) => e.kind === 'session-fight' && e.client_id === 'dev-twin')).toBe(true);
    await a.close();
    await b.close();
  });
});
