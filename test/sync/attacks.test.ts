/**
 * Least privilege and bad input at the gateway (issue 3, "Must show" 2): spoofed device id, wrong
 * password, unknown client, foreign topics, `#`, forged signature, replayed batch, oversized and
 * malformed payloads — each refused with a log line, and nothing stored changes.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, composeProofPassword, deviceTopic, enrolmentProofText, mqttProofText, type ChainRecord, type UnsignedRecord } from '@hcp/contract';
import { hashRecord, signHash } from '@hcp/contract/chain';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from './gateway-fixture.js';

const logs: string[] = [];
let gw: Gateway;
const keys: Record<string, { privateKey: KeyObject; pem: string; password: string }> = {};

function chain(deviceId: string, key: KeyObject, from: number, n: number, prevHash = GENESIS_HASH): ChainRecord[] {
  const out: ChainRecord[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const at = new Date().toISOString();
    const u: UnsignedRecord = {
      kind: 'rating',
      id: uuidv7(),
      deviceId,
      seq,
      prevHash,
      at,
      level: 5,
      channel: 'device-button',
      catalogueVersion: '2020.1',
      windowId: 'w-01',
      invitation: { id: uuidv7(), source: 'staff', invitedAt: at },
      facts: { msFromInvitation: 2000, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 0, flags: [] },
    };
    const hash = hashRecord(u);
    out.push({ ...u, hash, sig: signHash(hash, key) } as ChainRecord);
    prevHash = hash;
  }
  return out;
}

const proof = (deviceId: string, code: string, key: KeyObject) => sign(null, Buffer.from(enrolmentProofText(deviceId, code)), key).toString('base64');

async function connect(clientId: string, username: string, password: string): Promise<{ client?: MqttClient; error?: string }> {
  return new Promise((res) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${gw.mqttPort}`, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 3000 });
    client.once('connect', () => res({ client }));
    client.once('error', (e) => {
      client.end(true);
      res({ error: e.message });
    });
  });
}

const stored = async () => (await gw.store.db.selectFrom('records').select('id').execute()).length;
/** The device's password with a fresh proof of its key, as a real device connects. */
async function proven(id: string): Promise<string> {
  const { nonce } = (await (await fetch(`${gw.httpUrl}/api/devices/${id}/nonce`, { method: 'POST' })).json()) as { nonce: string };
  return composeProofPassword(keys[id]!.password, nonce, sign(null, Buffer.from(mqttProofText(id, nonce)), keys[id]!.privateKey).toString('base64'));
}
const nextAck = (client: MqttClient) => new Promise<any>((res) => client.once('message', (_t, p) => res(JSON.parse(p.toString()))));

beforeAll(async () => {
  gw = await startInProcessGateway({ logLines: logs });
  for (const [id, w] of [
    ['dev-a', 'w-01'],
    ['dev-b', 'w-02'],
  ] as const) {
    const { code } = await gw.enrolment.registerDevice(id, w);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const creds = await gw.enrolment.enrol({ deviceId: id, code, publicKeyPem: pem, proof: proof(id, code, privateKey) });
    keys[id] = { privateKey, pem, password: creds.password };
  }
});
afterAll(async () => gw?.stop());

describe('the gateway refuses and logs', () => {
  it('a wrong password, an unknown client, a spoofed id, a reused or foreign enrolment code', async () => {
    expect((await connect('dev-a', 'dev-a', 'wrong')).error).toMatch(/Bad username or password/i);
    expect((await connect('dev-zzz', 'dev-zzz', 'x')).error).toMatch(/Bad username or password/i);
    // dev-b's credentials under dev-a's client id.
    expect((await connect('dev-a', 'dev-b', await proven('dev-b'))).error).toMatch(/Bad username or password/i);
    const { code } = await gw.enrolment.registerDevice('dev-c', 'w-01');
    const a = keys['dev-a']!;
    await expect(gw.enrolment.enrol({ deviceId: 'dev-a', code, publicKeyPem: a.pem, proof: proof('dev-a', code, a.privateKey) })).rejects.toThrow(
      /unknown, used, expired, or for another device/,
    );
    // A public key presented without holding its private half.
    const stranger = generateKeyPairSync('ed25519').privateKey;
    await expect(gw.enrolment.enrol({ deviceId: 'dev-c', code, publicKeyPem: a.pem, proof: proof('dev-c', code, stranger) })).rejects.toThrow(/proof does not verify/);
    const c = generateKeyPairSync('ed25519');
    const cPem = c.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await gw.enrolment.enrol({ deviceId: 'dev-c', code, publicKeyPem: cPem, proof: proof('dev-c', code, c.privateKey) });
    // The same device retrying after a crash gets fresh credentials; anyone else is refused.
    expect((await gw.enrolment.enrol({ deviceId: 'dev-c', code, publicKeyPem: cPem, proof: proof('dev-c', code, c.privateKey) })).password).toBeTruthy();
    await expect(gw.enrolment.enrol({ deviceId: 'dev-c', code, publicKeyPem: a.pem, proof: proof('dev-c', code, a.privateKey) })).rejects.toThrow(/used/);
    const text = logs.join('\n');
    expect(text).toMatch(/wrong password/);
    expect(text).toMatch(/unknown, unenrolled or retired device/);
  });

  it('publishing or subscribing outside its own topics, and `#`', async () => {
    const { client } = await connect('dev-a', 'dev-a', await proven('dev-a'));
    // Refused subscriptions are granted as failure (0x80); the client stays connected.
    await expect(client!.subscribeAsync('#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await expect(client!.subscribeAsync(deviceTopic('dev-b', 'ack'), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect((await client!.subscribeAsync(deviceTopic('dev-a', 'ack'), { qos: 1 }))[0]!.qos).toBe(1);
    const closed = new Promise<void>((r) => client!.once('close', () => r()));
    client!.publish(deviceTopic('dev-b', 'records'), JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-b', records: chain('dev-b', keys['dev-a']!.privateKey, 1, 1) }), {
      qos: 1,
    });
    await closed;
    client!.end(true);
    expect(await stored()).toBe(0);
    const text = logs.join('\n');
    expect(text).toMatch(/may not subscribe to #/);
    expect(text).toMatch(/may not publish to hcp\/v1\/dev\/dev-b\/records/);
  });

  it('a forged signature, a replay (acked again, stored once), malformed and oversized payloads', async () => {
    const { client } = await connect('dev-a', 'dev-a', await proven('dev-a'));
    await client!.subscribeAsync(deviceTopic('dev-a', 'ack'), { qos: 1 });
    const topic = deviceTopic('dev-a', 'records');

    const forger = generateKeyPairSync('ed25519').privateKey;
    let ack = nextAck(client!);
    client!.publish(topic, JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-a', records: chain('dev-a', forger, 1, 3) }), { qos: 1 });
    expect((await ack).rejected.map((r: any) => r.code)).toEqual(['bad-signature', 'bad-signature', 'bad-signature']);
    expect(await stored()).toBe(0);

    const good = chain('dev-a', keys['dev-a']!.privateKey, 1, 3);
    const batch = JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-a', records: good });
    ack = nextAck(client!);
    client!.publish(topic, batch, { qos: 1 });
    expect(await ack).toMatchObject({ committedThroughSeq: 3, rejected: [] });
    ack = nextAck(client!);
    client!.publish(topic, batch, { qos: 1 });
    expect(await ack).toMatchObject({ committedThroughSeq: 3, rejected: [] });
    expect(await stored()).toBe(3);

    // A different record at a stored seq (an edit after the fact) is a fork, not an overwrite.
    const edited = { ...good[1]!, level: 1 } as ChainRecord;
    const { hash: _h, sig: _s, ...u } = edited;
    const rehashed = { ...edited, hash: hashRecord(u as UnsignedRecord) };
    ack = nextAck(client!);
    client!.publish(topic, JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-a', records: [rehashed] }), { qos: 1 });
    expect((await ack).rejected[0]).toMatchObject({ seq: 2, code: 'chain-fork' });

    // A gap is reported, not papered over.
    ack = nextAck(client!);
    client!.publish(topic, JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-a', records: chain('dev-a', keys['dev-a']!.privateKey, 5, 1, good[2]!.hash) }), { qos: 1 });
    expect((await ack).rejected[0]).toMatchObject({ seq: 5, code: 'chain-gap' });
    expect(await gw.store.db.selectFrom('chain_gaps').select('id').execute()).toHaveLength(1);

    for (const payload of ['not json', JSON.stringify({ batchId: 'x', records: [] }), JSON.stringify({ batchId: uuidv7(), deviceId: 'dev-b', records: good })]) {
      client!.publish(topic, payload, { qos: 1 });
    }
    await new Promise((r) => setTimeout(r, 300));
    const closed = new Promise<void>((r) => client!.once('close', () => r()));
    client!.publish(topic, Buffer.alloc(1024 * 1024 + 10, 0x20), { qos: 1 });
    await closed;
    client!.end(true);
    expect(await stored()).toBe(3);
    const text = logs.join('\n');
    expect(text).toMatch(/payload is not JSON/);
    expect(text).toMatch(/does not match the batch schema: batchId/);
    expect(text).toMatch(/batch claims device dev-b/);
    expect(text).toMatch(/packet of 1048\d+ bytes exceeds the limit|payload of 1048586 bytes is too large/);
    expect(text).toMatch(/chain gap/);
  });

  it('a huge packet is refused by its declared size before it is read, even before login', async () => {
    const { connect: tcp } = await import('node:net');
    const socket = tcp(gw.mqttPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    // A CONNECT declaring 100 MiB of remaining length: 0x10, then the varint for 104857600.
    socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x32]));
    const closed = await new Promise<boolean>((r) => {
      socket.once('close', () => r(true));
      setTimeout(() => r(false), 3000);
    });
    expect(closed).toBe(true);
    expect(logs.join('\n')).toMatch(/a packet of 104857600 bytes exceeds the limit/);
  });

  it('a retired device', async () => {
    const password = await proven('dev-b');
    await gw.enrolment.retire('dev-b');
    expect((await connect('dev-b', 'dev-b', password)).error).toMatch(/Bad username or password/i);
    await expect(gw.enrolment.registerDevice('dev-b', 'w-02')).rejects.toThrow(/retired/);
  });
});
