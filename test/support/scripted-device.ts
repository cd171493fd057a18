/**
 * A scripted device for gateway tests: a real Ed25519 key, a real signed hash chain, enrolment
 * over HTTP, and an MQTT client — but every step under the test's control (what to sign, when to
 * publish, which ack to wait for). It speaks to any gateway version: it proves its key only when
 * the enrolment answer asks for it.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import { expect } from 'vitest';
import {
  GENESIS_HASH,
  composeProofPassword,
  deviceTopic,
  enrolmentProofText,
  mqttProofText,
  type BatchAck,
  type ChainRecord,
  type DetailRecord,
  type RatingRecord,
  type UnsignedRecord,
} from '@hcp/contract';
import { hashRecord, keyFingerprint, signHash } from '@hcp/contract/chain';

export interface Credentials {
  username: string;
  password: string;
  keyProof?: 'connect' | 'none';
}

export class ScriptedDevice {
  key: KeyObject;
  publicKeyPem: string;
  head = { seq: 0, hash: GENESIS_HASH };
  creds: Credentials | null = null;
  client: MqttClient | null = null;
  readonly acks: BatchAck[] = [];
  readonly messages: Array<{ topic: string; payload: unknown }> = [];
  /** Added to the device's clock (its stamps and sentAt): a dead RTC, a device never synced. */
  clockSkewMs = 0;

  constructor(
    readonly deviceId: string,
    readonly windowId = 'w-01',
    readonly httpUrl = '',
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.key = privateKey;
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** A wiped store and a new key: what a reinstalled device is. */
  wipe(): void {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.key = privateKey;
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.head = { seq: 0, hash: GENESIS_HASH };
    this.creds = null;
  }

  now(): Date {
    return new Date(Date.now() + this.clockSkewMs);
  }

  async enrol(code: string): Promise<{ status: number; body: any }> {
    const proof = sign(null, Buffer.from(enrolmentProofText(this.deviceId, code)), this.key).toString('base64');
    const res = await fetch(`${this.httpUrl}/api/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: this.deviceId, code, publicKeyPem: this.publicKeyPem, proof }),
    });
    const body = (await res.json()) as any;
    if (res.status === 200) this.creds = body as Credentials;
    return { status: res.status, body };
  }

  /** The MQTT password this device would present now (a fresh key proof when asked for). */
  async password(opts: { withProof?: boolean } = {}): Promise<string> {
    const creds = this.creds!;
    const withProof = opts.withProof ?? creds.keyProof === 'connect';
    if (!withProof) return creds.password;
    const res = await fetch(`${this.httpUrl}/api/devices/${this.deviceId}/nonce`, { method: 'POST' });
    const { nonce } = (await res.json()) as { nonce: string };
    return composeProofPassword(creds.password, nonce, sign(null, Buffer.from(mqttProofText(this.deviceId, nonce)), this.key).toString('base64'));
  }

  async connect(mqttUrl: string, opts: { password?: string; clientId?: string; will?: boolean } = {}): Promise<MqttClient> {
    const password = opts.password ?? (await this.password());
    const will = opts.will
      ? { will: { topic: deviceTopic(this.deviceId, 'status'), payload: Buffer.from(JSON.stringify({ deviceId: this.deviceId, online: false })), qos: 1 as const, retain: true } }
      : {};
    const client = await mqtt.connectAsync(mqttUrl, {
      clientId: opts.clientId ?? this.deviceId,
      username: this.deviceId,
      password,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      clean: true,
      ...will,
    });
    await client.subscribeAsync([deviceTopic(this.deviceId, 'ack'), deviceTopic(this.deviceId, 'config'), deviceTopic(this.deviceId, 'invite')], { qos: 1 });
    client.on('message', (topic, payload) => {
      const parsed = payload.length ? JSON.parse(payload.toString('utf8')) : null;
      if (topic === deviceTopic(this.deviceId, 'ack')) this.acks.push(parsed as BatchAck);
      else this.messages.push({ topic, payload: parsed });
    });
    this.client = client;
    return client;
  }

  /** `press`: whom it rates (null: nobody logged in) and the integrity facts, for the R11 suites. */
  rating(
    level: 1 | 2 | 3 | 4 | 5,
    inv: { caseNo?: string; itemCode?: string; inviteId?: string } = {},
    press: { staffId?: string | null; facts?: RatingRecord['facts'] } = {},
  ): RatingRecord {
    const at = this.now().toISOString();
    return this.seal({
      kind: 'rating',
      id: uuidv7(),
      deviceId: this.deviceId,
      seq: this.head.seq + 1,
      prevHash: this.head.hash,
      at,
      level,
      channel: 'device-button',
      catalogueVersion: '2020.1',
      windowId: this.windowId,
      ...(press.staffId === null ? {} : { staffId: press.staffId ?? 's-001' }),
      invitation: {
        id: inv.inviteId ?? uuidv7(),
        source: inv.caseNo ? 'case' : 'staff',
        ...(inv.caseNo ? { caseNo: inv.caseNo } : {}),
        ...(inv.itemCode ? { itemCode: inv.itemCode } : {}),
        invitedAt: at,
      },
      facts: press.facts ?? { msFromInvitation: 3000, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 0, flags: [] },
    }) as RatingRecord;
  }

  detail(rating: RatingRecord, reasons: number[], comment?: string): DetailRecord {
    return this.seal({
      kind: 'detail',
      id: uuidv7(),
      deviceId: this.deviceId,
      seq: this.head.seq + 1,
      prevHash: this.head.hash,
      at: this.now().toISOString(),
      ratingId: rating.id,
      reasons,
      ...(comment ? { comment } : {}),
    }) as DetailRecord;
  }

  /** Hash and sign `u` as this device's next record (tests forge records with it). */
  seal(u: UnsignedRecord): ChainRecord {
    const hash = hashRecord(u);
    this.head = { seq: u.seq, hash };
    return { ...u, hash, sig: signHash(hash, this.key) } as ChainRecord;
  }

  /** Publish a batch and wait for its ack. */
  async send(records: ChainRecord[], extra: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<BatchAck> {
    const batchId = uuidv7();
    const payload = { batchId, deviceId: this.deviceId, records, sentAt: this.now().toISOString(), keyFingerprint: keyFingerprint(this.publicKeyPem), ...extra };
    await this.client!.publishAsync(deviceTopic(this.deviceId, 'records'), JSON.stringify(payload), { qos: 1 });
    const end = Date.now() + timeoutMs;
    for (;;) {
      const ack = this.acks.find((a) => a.batchId === batchId);
      if (ack) return ack;
      if (Date.now() > end) throw new Error(`no ack for batch ${batchId} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async publishJson(kind: 'status' | 'receipt', body: unknown): Promise<void> {
    await this.client!.publishAsync(deviceTopic(this.deviceId, kind), JSON.stringify(body), { qos: 1 });
  }

  /** Messages of one kind received so far (config, invite). */
  received(kind: 'config' | 'invite'): any[] {
    return this.messages.filter((m) => m.topic === deviceTopic(this.deviceId, kind)).map((m) => m.payload);
  }

  /** Drop the connection without DISCONNECT (a cut cable): the broker publishes the last will. */
  cut(): void {
    this.client?.stream.destroy();
    this.client?.end(true);
    this.client = null;
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
    this.client = null;
  }
}

/** A scripted device registered on `gw` at window w-01, enrolled and connected to its broker (close it when done). */
export async function enrolledDevice(
  gw: { httpUrl: string; mqttPort: number; enrolment: { registerDevice(id: string, windowId: string): Promise<{ code: string }> } },
  id: string,
): Promise<ScriptedDevice> {
  const dev = new ScriptedDevice(id, 'w-01', gw.httpUrl);
  expect((await dev.enrol((await gw.enrolment.registerDevice(id, 'w-01')).code)).status).toBe(200);
  await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
  return dev;
}
