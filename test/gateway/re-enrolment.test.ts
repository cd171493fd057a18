/**
 * Issue 10, hole 1: a device whose store was wiped comes back with a new key and is re-enrolled
 * under the same id. Its new chain starts at seq 1 again. Before: it collided with the old chain's
 * UNIQUE (device_id, seq), was dropped by INSERT OR IGNORE, and was acknowledged all the same —
 * the device then forgot ratings the gateway never stored. Now each enrolment is an epoch with its
 * own chain and key; both are kept and verify; hall IT sees the device was re-keyed.
 */
import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainRecord } from '@hcp/contract';
import { verifyChain } from '@hcp/contract/chain';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
const mqttUrl = () => `mqtt://127.0.0.1:${gw.mqttPort}`;

beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());

describe('re-enrolment after a wiped store', () => {
  it('stores the new chain in its own epoch, never acks what it did not store, keeps and verifies both', async () => {
    const dev = new ScriptedDevice('dev-wiped', 'w-01', gw.httpUrl);
    expect((await dev.enrol((await gw.enrolment.registerDevice('dev-wiped', 'w-01')).code)).status).toBe(200);
    await dev.connect(mqttUrl());
    const first = [dev.rating(5), dev.rating(4), dev.rating(1)];
    const firstKey = dev.publicKeyPem;
    expect((await dev.send(first)).committedThroughSeq).toBe(3);
    await dev.close();

    // New SD card: new key, empty chain, same device id, a new code from hall IT.
    dev.wipe();
    expect((await dev.enrol((await gw.enrolment.registerDevice('dev-wiped', 'w-01')).code)).status).toBe(200);
    await dev.connect(mqttUrl());
    const second = [dev.rating(3), dev.rating(2)];
    const ack = await dev.send(second);
    expect(ack.rejected).toEqual([]);
    expect(ack.committedThroughSeq).toBe(2);
    await dev.close();

    // Every acknowledged record is stored: 3 of the first chain, 2 of the second.
    const rows = await gw.store.db.selectFrom('records').select(['id', 'epoch', 'seq', 'body']).where('device_id', '=', 'dev-wiped').orderBy('epoch').orderBy('seq').execute();
    expect(rows.map((r) => [r.epoch, r.seq])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 2],
    ]);
    expect(rows.map((r) => r.id).sort()).toEqual([...first, ...second].map((r) => r.id).sort());

    // Each chain verifies against the key of its own enrolment.
    const chainOf = (epoch: number) => rows.filter((r) => r.epoch === epoch).map((r) => JSON.parse(r.body) as ChainRecord);
    expect(verifyChain(chainOf(1), createPublicKey(firstKey), { signatures: 'all', deviceId: 'dev-wiped' })).toEqual([]);
    expect(verifyChain(chainOf(2), createPublicKey(dev.publicKeyPem), { signatures: 'all', deviceId: 'dev-wiped' })).toEqual([]);

    // Hall IT sees both enrolments and an alert that the device was re-keyed.
    const enrolments = (await (await fetch(`${gw.httpUrl}/api/devices/dev-wiped/enrolments`, { headers: await adminHeaders() })).json()) as Array<{
      epoch: number;
      endedAt: string | null;
      headSeq: number;
    }>;
    expect(enrolments.map((e) => [e.epoch, e.headSeq, e.endedAt !== null])).toEqual([
      [1, 3, true],
      [2, 2, false],
    ]);
    const alerts = (await (await fetch(`${gw.httpUrl}/api/alerts`, { headers: await adminHeaders() })).json()) as Array<{ kind: string; subject: string }>;
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'device-rekeyed', subject: 'dev-wiped' }));
  });

  it('a batch signed with the old key after re-enrolment is refused, and its ack moves no chain', async () => {
    // Where the broker checks only passwords (a site broker), a stale device can still publish:
    // its batch names its key, and the ack must not speak of the other chain.
    const lax = await startInProcessGateway({ mqtt: { requireKeyProof: false } });
    try {
      const dev = new ScriptedDevice('dev-stale', 'w-01', lax.httpUrl);
      await dev.enrol((await lax.enrolment.registerDevice('dev-stale', 'w-01')).code);
      const other = new ScriptedDevice('dev-stale', 'w-01', lax.httpUrl);
      await other.enrol((await lax.enrolment.registerDevice('dev-stale', 'w-01')).code);
      await other.connect(`mqtt://127.0.0.1:${lax.mqttPort}`);
      expect((await other.send([other.rating(5), other.rating(5), other.rating(5)])).committedThroughSeq).toBe(3);
      await other.close();
      // The old device, with the (leaked) current password, sends its own chain.
      await dev.connect(`mqtt://127.0.0.1:${lax.mqttPort}`, { password: other.creds!.password });
      const ack = await dev.send([dev.rating(4)]);
      expect(ack.committedThroughSeq).toBe(0);
      expect(ack.rejected.map((r) => r.code)).toEqual(['stale-key']);
      await dev.close();
      expect(await lax.store.db.selectFrom('records').select('seq').where('device_id', '=', 'dev-stale').execute()).toHaveLength(3);
    } finally {
      await lax.stop();
    }
  });
});

async function adminHeaders(): Promise<Record<string, string>> {
  await gw.auth.createUser('it-admin', 'it-admin-password-1', 'hall-it');
  const r = await gw.auth.login('it-admin', 'it-admin-password-1', null);
  if (!r.ok) throw new Error('login failed');
  return { authorization: `Bearer ${r.token}` };
}
