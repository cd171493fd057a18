/**
 * The device proves its key at every MQTT connection (issue 10, hole 14): with keyProof 'connect'
 * from enrolment it fetches a fresh gateway nonce before each attempt and connects with the proof
 * password (device/contract/key-proof.ts). The broker here — a real aedes on loopback — checks the
 * proof as the gateway will: a copied password without the key gets nobody in, and a nonce is good once.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeProofPassword, mqttProofText } from '../../device/contract/index.js';
import { startDevice, type RunningDevice } from '../support/device-process.js';
import { EnrolStub } from './support/enrol-stub.js';
import { TestBroker } from './support/test-broker.js';

/** Try a CONNECT as some other client would; true if the broker accepted it. */
async function tryConnect(url: string, clientId: string, password: string): Promise<boolean> {
  const client = mqtt.connect(url, { clientId, username: clientId, password, reconnectPeriod: 0, connectTimeout: 5000 });
  const ok = await new Promise<boolean>((res) => {
    client.once('connect', () => res(true));
    client.once('error', () => res(false));
    client.once('close', () => res(false));
  });
  await client.endAsync(true);
  return ok;
}

describe('key proof at connection', () => {
  const ID = 'dev-proof';
  let stub: EnrolStub;
  let broker: TestBroker;
  let device: RunningDevice;
  /** Every password the broker was shown, as an eavesdropper on the hall LAN would see it without TLS. */
  const seen: string[] = [];

  beforeAll(async () => {
    stub = await EnrolStub.start({ keyProof: 'connect' });
    broker = await TestBroker.start({
      authenticate: (clientId, username, password) => {
        if (password) seen.push(password);
        return username === clientId && stub.checkProof(clientId, password);
      },
    });
    device = await startDevice({
      deviceId: ID,
      dir: mkdtempSync(join(tmpdir(), 'hcp-proof-')),
      config: { gateway: { url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-proof' } },
    });
  });
  afterAll(async () => {
    await device?.stop();
    await broker?.close();
    await stub?.close();
  });

  it('enrols, keeps keyProof with the credentials, and connects with a proof over a fresh nonce', async () => {
    await broker.waitFor(() => broker.connectedClients().includes(ID));
    const saved = JSON.parse(readFileSync(join(device.dataDir, 'gateway-credentials.json'), 'utf8'));
    expect(saved).toEqual({ username: ID, password: stub.password, keyProof: 'connect' });
    expect(stub.count(/\/api\/devices\/dev-proof\/nonce$/)).toBe(1);
    expect(broker.refused).toBe(0);
  });

  it('refuses a second client with the right password but no key, and a reused nonce', async () => {
    // The password alone, as a thief who copied the credentials file would try it.
    expect(await tryConnect(broker.url, ID, stub.password)).toBe(false);
    // A proof with a key of its own over a real nonce: the signature is not the device's.
    const res = await fetch(`${stub.url}/api/devices/${ID}/nonce`, { method: 'POST' });
    const { nonce } = (await res.json()) as { nonce: string };
    const thief = generateKeyPairSync('ed25519').privateKey;
    const forged = composeProofPassword(stub.password, nonce, sign(null, Buffer.from(mqttProofText(ID, nonce)), thief).toString('base64'));
    expect(await tryConnect(broker.url, ID, forged)).toBe(false);
    // The device's own proof password, replayed: its nonce is spent.
    expect(await tryConnect(broker.url, ID, seen[0]!)).toBe(false);
    // The device is still the one connected: the clones never took its session.
    expect(broker.connectedClients()).toContain(ID);
  });

  it('fetches a new nonce for every connection attempt', async () => {
    const before = stub.count(/\/nonce$/);
    // Drop the device's connection at the broker; it comes back with a new proof.
    broker.drop(ID);
    await broker.waitFor(() => stub.count(/\/nonce$/) > before && broker.connectedClients().includes(ID), 15_000);
    expect(broker.refused).toBe(3); // the three clones above, never the device
    expect(new Set(seen).size).toBe(seen.length - 1); // a new proof each time (the replay is the one repeat)
  });
});

describe('credentials saved before key proofs existed', () => {
  it("mean keyProof 'none': the device connects with the password alone", async () => {
    const ID = 'dev-oldcreds';
    const stub = await EnrolStub.start();
    const broker = await TestBroker.start({ authenticate: (clientId, username, password) => username === clientId && password === 'old-password' });
    const dir = mkdtempSync(join(tmpdir(), 'hcp-oldcreds-'));
    mkdirSync(join(dir, 'data'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'data', 'gateway-credentials.json'), JSON.stringify({ username: ID, password: 'old-password' }), { mode: 0o600 });
    const device = await startDevice({ deviceId: ID, dir, config: { gateway: { url: stub.url, mqttUrl: broker.url } } });
    try {
      await broker.waitFor(() => broker.connectedClients().includes(ID));
      expect(stub.requests).toEqual([]);
    } finally {
      await device.stop();
      await broker.close();
      await stub.close();
    }
  });
});
