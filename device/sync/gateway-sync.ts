/**
 * The device side of the sync (DESIGN.md "How a rating flows" 3). The SQLite outbox is the source of
 * truth, never mqtt.js's in-memory queue: batches are read from the outbox, published QoS 1, and
 * marked sent only on the gateway's application-level ack. At most `maxInFlight` batches are
 * unacknowledged; after any reconnect or ack timeout, sending restarts from the first unacknowledged
 * record. Config (retained) and case invitations flow down on the device's own topics.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import {
  BatchAckSchema, DeviceConfigSchema, InvitePayloadSchema, deviceTopic, type DeviceStatus,
} from '../contract/index.js';
import type { Feature, FeatureDeps } from '../runtime/ports.js';
import { EnrolmentRefused, enrol, loadCredentials, type MqttCredentials } from './enrolment-client.js';
import { parseGatewaySection, type GatewaySection } from './sync-config.js';

export class GatewaySync implements Feature {
  private client: MqttClient | null = null;
  private readonly inFlight = new Map<string, { lastSeq: number; sentAt: number }>();
  private lastSentSeq = 0;
  private clockOffsetMs: number | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private readonly wake = () => this.pump();
  private readonly s: GatewaySection;

  constructor(private readonly d: FeatureDeps) {
    this.s = parseGatewaySection(d.section);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.d.runtime.events.on('records-appended', this.wake);
    void this.connectWhenEnrolled(1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.d.runtime.events.off('records-appended', this.wake);
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  private async connectWhenEnrolled(backoffMs: number): Promise<void> {
    if (this.stopped) return;
    let creds = loadCredentials(this.d.dataDir);
    if (!creds) {
      if (!this.s.enrolmentCode) return void this.d.logger.error('not enrolled and no gateway.enrolmentCode: ask hall IT for an enrolment code');
      try {
        creds = await enrol({ url: this.s.url, deviceId: this.d.identity.deviceId, code: this.s.enrolmentCode, publicKeyPem: this.d.identity.publicKeyPem, sign: this.d.identity.sign, dataDir: this.d.dataDir, ...(this.s.caFile ? { ca: readFileSync(this.s.caFile) } : {}) });
        this.d.logger.info('enrolled with the gateway');
      } catch (err) {
        if (err instanceof EnrolmentRefused) return void this.d.logger.error({ err: err.message }, 'enrolment refused: ask hall IT for a new code');
        this.d.logger.warn({ err: (err as Error).message, retryInMs: backoffMs }, 'gateway unreachable for enrolment');
        const t = setTimeout(() => void this.connectWhenEnrolled(Math.min(backoffMs * 2, 60_000)), backoffMs);
        t.unref();
        return;
      }
    }
    this.connect(creds);
  }

  private connect(creds: MqttCredentials): void {
    const id = this.d.identity.deviceId;
    const client = mqtt.connect(this.s.mqttUrl, {
      clientId: id, username: creds.username, password: creds.password, clean: true, protocolVersion: 4,
      // Jitter, so a hall's devices do not all reconnect in the same millisecond after an outage.
      reconnectPeriod: 1000 + Math.floor(Math.random() * 1000), connectTimeout: 10_000, keepalive: 30,
      queueQoSZero: false,
      will: { topic: deviceTopic(id, 'status'), payload: Buffer.from(JSON.stringify({ deviceId: id, online: false })), qos: 1, retain: true },
      ...(this.s.caFile ? { ca: readFileSync(this.s.caFile) } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      this.inFlight.clear();
      this.lastSentSeq = 0;
      this.d.runtime.setConnection('gateway', 'online');
      client.subscribe([deviceTopic(id, 'ack'), deviceTopic(id, 'config'), deviceTopic(id, 'invite')], { qos: 1 }, (err) => {
        if (err) this.d.logger.error({ err: err.message }, 'subscribe refused');
      });
      this.publishStatus();
      this.pump();
    });
    client.on('close', () => {
      this.inFlight.clear();
      this.d.runtime.setConnection('gateway', 'offline');
    });
    client.on('error', (err) => this.d.logger.warn({ err: err.message }, 'mqtt error'));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.timers.push(setInterval(() => this.checkAckTimeouts(), 1000).unref(), setInterval(() => this.publishStatus(), 60_000).unref());
  }

  private onMessage(topic: string, payload: Buffer): void {
    const id = this.d.identity.deviceId;
    try {
      if (topic === deviceTopic(id, 'ack')) return this.onAck(payload);
      if (payload.length === 0) return; // a cleared retained config (device retired)
      const json = JSON.parse(payload.toString('utf8')) as unknown;
      if (topic === deviceTopic(id, 'config')) {
        const c = DeviceConfigSchema.safeParse(json);
        if (!c.success) return void this.d.logger.warn('config from the gateway does not match the schema: ignored');
        this.d.runtime.applyConfig(c.data);
      } else if (topic === deviceTopic(id, 'invite')) {
        const inv = InvitePayloadSchema.safeParse(json);
        if (!inv.success) return void this.d.logger.warn('invitation from the gateway does not match the schema: ignored');
        void this.d.runtime.openCaseInvitation(inv.data).then((o) => {
          if (!o.accepted) this.d.logger.warn({ code: o.code }, 'case invitation not opened');
        });
      }
    } catch (err) {
      this.d.logger.warn({ topic, err: (err as Error).message }, 'message from the gateway ignored');
    }
  }

  private onAck(payload: Buffer): void {
    const parsed = BatchAckSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!parsed.success) return void this.d.logger.warn('malformed ack ignored');
    const ack = parsed.data;
    this.inFlight.delete(ack.batchId);
    const now = new Date();
    this.clockOffsetMs = now.getTime() - Date.parse(ack.gatewayTime);
    this.d.outbox.markAcknowledged(ack.committedThroughSeq, now);
    const gaps = ack.rejected.filter((r) => r.code === 'chain-gap');
    const refused = ack.rejected.filter((r) => r.code !== 'chain-gap');
    if (refused.length) {
      this.d.outbox.markRejected(refused);
      this.d.logger.error({ count: refused.length, codes: [...new Set(refused.map((r) => r.code))] }, 'the gateway refused records: kept for hall IT');
    }
    if (gaps.length) {
      this.d.logger.error({ committedThroughSeq: ack.committedThroughSeq }, 'the gateway reports a chain gap');
      this.lastSentSeq = ack.committedThroughSeq;
    }
    this.pump();
    if (this.d.outbox.backlog() === 0) this.publishStatus();
  }

  private pump(): void {
    const client = this.client;
    if (!client?.connected) return;
    while (this.inFlight.size < this.s.maxInFlight) {
      const records = this.d.outbox.nextBatch(this.s.batchSize, this.lastSentSeq);
      if (records.length === 0) return;
      const batchId = uuidv7();
      const lastSeq = records[records.length - 1]!.seq;
      this.inFlight.set(batchId, { lastSeq, sentAt: Date.now() });
      this.lastSentSeq = lastSeq;
      client.publish(deviceTopic(this.d.identity.deviceId, 'records'), JSON.stringify({ batchId, deviceId: this.d.identity.deviceId, records }), { qos: 1 });
    }
  }

  /** An ack that never came (lost in a cut): resend from the first unacknowledged record. */
  private checkAckTimeouts(): void {
    const now = Date.now();
    if ([...this.inFlight.values()].some((b) => now - b.sentAt > this.s.ackTimeoutMs)) {
      this.inFlight.clear();
      this.lastSentSeq = 0;
      this.pump();
    }
  }

  private publishStatus(): void {
    if (!this.client?.connected) return;
    const view = this.d.runtime.view();
    const status: DeviceStatus = {
      deviceId: this.d.identity.deviceId, online: true, softwareVersion: this.d.softwareVersion, backlog: this.d.outbox.backlog(),
      lastSyncAt: this.d.outbox.lastAcknowledgedAt(), panel: view.connection.panel, at: new Date().toISOString(),
      ...(this.clockOffsetMs !== undefined ? { clockOffsetMs: this.clockOffsetMs } : {}),
    };
    this.client.publish(deviceTopic(this.d.identity.deviceId, 'status'), JSON.stringify(status), { qos: 1, retain: true });
  }
}

export function createGatewaySync(deps: FeatureDeps): Feature {
  return new GatewaySync(deps);
}
