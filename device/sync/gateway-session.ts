/**
 * One live MQTT connection to the gateway (docs/DESIGN.md "How a rating flows" 3). The SQLite outbox is
 * the source of truth, never mqtt.js's in-memory queue: batches are read from the outbox, published
 * QoS 1, and marked sent only on the gateway's application-level ack. At most `maxInFlight` batches
 * are unacknowledged; after an ack timeout, sending restarts from the first unacknowledged record
 * (a new connection starts there anyway). Config and case invitations flow down on the device's
 * own topics; each invitation is answered with a receipt. Console commands (a badge capture, issue
 * 11) come on the `command` topic, subscribed only when the gateway's config lists commands.
 */
import type { MqttClient } from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import {
  BadgeCaptureSchema,
  BatchAckSchema,
  DeviceCommandSchema,
  DeviceConfigSchema,
  InviteTopicSchema,
  deviceTopic,
  recordsForOneBatch,
  type DeviceConfig,
  type DeviceStatus,
  type DeviceView,
  type InviteReceipt,
  type RecordBatch,
} from '../contract/index.js';
import { MAX_CLOCK_RUNS } from '../clock/clock-epochs.js';
import type { FeatureDeps } from '../runtime/ports.js';
import { answerInviteMessage } from './invite-receipts.js';
import type { LinkPace } from './link-pace.js';
import type { RepeatedLogs } from './repeat-log.js';
import type { GatewaySection } from './sync-config.js';

export interface SessionOptions {
  deps: FeatureDeps;
  section: GatewaySection;
  /** sha256 of the device key (contract chain.ts keyFingerprint): which enrolment's chain this is. */
  keyFingerprint: string;
  logs: RepeatedLogs;
  /** The link's pace, kept by the sync across connections. */
  pace: LinkPace;
}

interface InFlightBatch {
  lastSeq: number;
  /** The payload's bytes. */
  bytes: number;
  sentAtMono: number;
  brokerAtMono?: number;
}

export class GatewaySession {
  /** Batches sent and not yet acknowledged; `brokerAtMono`: when the broker had it all (its PUBACK), monotonic ms. */
  private readonly inFlight = new Map<string, InFlightBatch>();
  /** When the broker last had a whole batch: the link carries one batch after another. */
  private lastPubackMono = 0;
  /** Batches published and not yet PUBACKed: on the link. */
  private onLink = 0;
  /**
   * Since when the link has been busy, and the bytes the broker has had since: the link's pace is
   * measured over that stretch, not per batch, since PUBACKs of batches sent together come together.
   */
  private busy: { sinceMono: number; bytes: number } | null = null;
  /** When the last ack of a batch in flight came (monotonic ms): the link and the gateway work. */
  private lastAckMono = 0;
  private lastSentSeq = 0;
  private timers: NodeJS.Timeout[] = [];
  private invites: Promise<void> = Promise.resolve();
  private stopped = false;
  private commandsSubscribed = false;
  private readonly onMessage = (topic: string, payload: Buffer) => this.route(topic, payload);
  private readonly onCaptured = (c: { captureId: string; uid: string }) => this.publishCapture(c);

  constructor(
    private readonly client: MqttClient,
    private readonly o: SessionOptions,
  ) {}

  private get d(): FeatureDeps {
    return this.o.deps;
  }

  start(): void {
    const id = this.d.identity.deviceId;
    this.client.on('message', this.onMessage);
    this.client.subscribe([deviceTopic(id, 'ack'), deviceTopic(id, 'config'), deviceTopic(id, 'invite')], { qos: 1 }, (err, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (this.cutShort(err)) return;
      if (err || refused.length) this.d.logger.error({ err: err?.message, refused }, 'the gateway refused a subscription: check the broker ACL for this device');
    });
    this.d.runtime.events.on('badge-captured', this.onCaptured);
    // A panel or reader unplugged is news now, not at the next minute's status (R19).
    this.d.runtime.events.on('view', this.onView);
    this.listenForCommands(this.d.runtime.currentConfig());
    // Ack timeouts and status on the monotonic clock: a wall-clock step must not fire or starve them.
    this.timers.push(
      setInterval(() => this.checkAckTimeouts(), 1000),
      setInterval(() => this.publishStatus(), 60_000),
    );
    this.publishStatus();
    this.pump();
  }

  /** Ends this session's timers and listeners; the client is closed by its owner (gateway-sync.ts). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.client.off('message', this.onMessage);
    this.d.runtime.events.off('view', this.onView);
    this.d.runtime.events.off('badge-captured', this.onCaptured);
    await this.invites;
  }

  /** New records in the outbox, or room in flight: send what fits. */
  pump(): void {
    if (this.stopped || !this.client.connected) return;
    while (this.inFlight.size < this.o.section.maxInFlight) {
      const batch = this.nextBatch();
      if (!batch) return;
      const lastSeq = batch.records[batch.records.length - 1]!.seq;
      const payload = JSON.stringify(batch);
      const sent: InFlightBatch = { lastSeq, bytes: Buffer.byteLength(payload), sentAtMono: performance.now() };
      this.inFlight.set(batch.batchId, sent);
      this.lastSentSeq = lastSeq;
      this.busy ??= { sinceMono: sent.sentAtMono, bytes: 0 };
      this.onLink++;
      // The callback comes with the broker's PUBACK: from then on the batch waits for the gateway, not the link.
      this.client.publish(deviceTopic(this.d.identity.deviceId, 'records'), payload, { qos: 1 }, (err) => this.onPuback(sent, err));
    }
  }

  private onPuback(sent: InFlightBatch, err: Error | undefined): void {
    this.onLink--;
    if (err || !this.busy) return;
    const now = performance.now();
    sent.brokerAtMono = now;
    this.lastPubackMono = now;
    this.busy.bytes += sent.bytes;
    this.o.pace.carried(this.busy.bytes, now - this.busy.sinceMono);
    if (this.onLink === 0) this.busy = null;
  }

  private nextBatch(): RecordBatch | null {
    let records = this.d.outbox.nextBatch(this.o.section.batchSize, this.lastSentSeq);
    if (records.length === 0) return null;
    // Within the payload limit, whatever its records' comments hold, and what the link carries in good time.
    records = records.slice(0, recordsForOneBatch(records, this.o.pace.batchBytes()));
    let clocks = this.d.clocks.runsFor(records[0]!.seq, records[records.length - 1]!.seq);
    if (clocks.length > MAX_CLOCK_RUNS) {
      // A batch names at most MAX_CLOCK_RUNS runs: the rest go in the next one.
      const cut = clocks[MAX_CLOCK_RUNS]!.fromSeq;
      records = records.filter((r) => r.seq < cut);
      clocks = clocks.slice(0, MAX_CLOCK_RUNS);
    }
    return {
      batchId: uuidv7(),
      deviceId: this.d.identity.deviceId,
      records,
      sentAt: this.d.clock.iso(),
      keyFingerprint: this.o.keyFingerprint,
      clocks,
    };
  }

  private route(topic: string, payload: Buffer): void {
    const id = this.d.identity.deviceId;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.o.logs.warn(`not-json:${topic}`, { topic }, 'a message from the gateway is not JSON: ignored');
      return;
    }
    if (topic === deviceTopic(id, 'ack')) this.onAck(json);
    else if (topic === deviceTopic(id, 'config')) this.onConfig(json);
    else if (topic === deviceTopic(id, 'invite')) this.onInvite(json);
    else if (topic === deviceTopic(id, 'command')) this.onCommand(json);
  }

  /**
   * Subscribe to the command topic once a config from the gateway lists commands (the cached one
   * at connection, or one arriving now): an older gateway lists none and would refuse it.
   */
  private listenForCommands(config: DeviceConfig): void {
    if (this.commandsSubscribed || !config.commands?.length) return;
    this.commandsSubscribed = true;
    this.client.subscribe(deviceTopic(this.d.identity.deviceId, 'command'), { qos: 1 }, (err, granted) => {
      if (this.cutShort(err)) {
        this.commandsSubscribed = false;
        return;
      }
      if (err || granted?.some((g) => g.qos === 128)) {
        this.commandsSubscribed = false;
        this.o.logs.warn('command-refused', { err: err?.message }, 'the gateway refused the command topic: badge capture from the console will not reach this device');
      }
    });
  }

  private onCommand(json: unknown): void {
    const c = DeviceCommandSchema.safeParse(json);
    if (!c.success) {
      this.o.logs.warn('bad-command', {}, 'a command from the gateway does not match the schema (a newer gateway?): ignored');
      return;
    }
    const { captureId, forSec } = c.data.captureBadge;
    this.d.runtime.captureBadge(captureId, forSec);
    this.d.logger.info({ captureId, forSec }, 'badge capture open: the next badge tapped goes to hall IT');
  }

  /** The badge tapped for a capture goes up once; lost if the connection is down (the console sees the capture expire). */
  private publishCapture(capture: { captureId: string; uid: string }): void {
    const c = BadgeCaptureSchema.safeParse(capture);
    if (!c.success) {
      this.o.logs.warn('bad-capture', {}, 'the badge tapped for a capture is not 8-20 hex digits: not sent');
      return;
    }
    if (this.stopped || !this.client.connected) {
      this.o.logs.warn('capture-offline', {}, 'a badge was captured while the gateway was unreachable: not sent');
      return;
    }
    this.client.publish(deviceTopic(this.d.identity.deviceId, 'badge'), JSON.stringify(c.data), { qos: 1 });
  }

  private onConfig(json: unknown): void {
    const c = DeviceConfigSchema.safeParse(json);
    if (!c.success) {
      this.o.logs.warn('bad-config', {}, 'config from the gateway does not match the schema: ignored');
      return;
    }
    try {
      this.d.runtime.applyConfig(c.data);
      this.listenForCommands(c.data);
    } catch (err) {
      this.o.logs.warn('config-refused', { err: (err as Error).message }, 'config from the gateway refused');
    }
  }

  private onInvite(json: unknown): void {
    const m = InviteTopicSchema.safeParse(json);
    if (!m.success) {
      this.o.logs.warn('bad-invite', {}, 'a message on the invite topic does not match the schema: ignored');
      return;
    }
    // One at a time, in arrival order: a withdrawal must find the invitation it follows.
    this.invites = this.invites
      .then(() => answerInviteMessage(m.data, this.d.runtime))
      .then((receipt) => this.publishReceipt(receipt))
      .catch((err: unknown) => this.d.logger.error({ err: (err as Error).message }, 'invitation failed'));
  }

  private publishReceipt(receipt: InviteReceipt): void {
    if (receipt.outcome === 'refused') this.d.logger.info({ inviteId: receipt.inviteId, code: receipt.code }, 'case invitation not opened');
    if (!this.client.connected) return; // the gateway sends a case again after the next connection
    this.client.publish(deviceTopic(this.d.identity.deviceId, 'receipt'), JSON.stringify(receipt), { qos: 1 });
  }

  private onAck(json: unknown): void {
    const parsed = BatchAckSchema.safeParse(json);
    if (!parsed.success) {
      this.o.logs.warn('bad-ack', {}, 'malformed ack ignored');
      return;
    }
    const ack = parsed.data;
    if (this.inFlight.delete(ack.batchId)) this.lastAckMono = performance.now();
    // This run's stamp clock minus the gateway's: the offset of the current clock epoch.
    this.d.clocks.noteOffset(this.d.clock.now() - Date.parse(ack.gatewayTime));
    const gaps = ack.rejected.filter((r) => r.code === 'chain-gap');
    const refused = ack.rejected.filter((r) => r.code !== 'chain-gap');
    if (refused.length) {
      this.d.outbox.markRejected(refused);
      this.d.logger.error({ count: refused.length, codes: [...new Set(refused.map((r) => r.code))] }, 'the gateway refused records: kept for hall IT');
    }
    this.d.outbox.markAcknowledged(ack.committedThroughSeq, new Date(this.d.clock.now()));
    if (gaps.length) {
      this.d.logger.error({ committedThroughSeq: ack.committedThroughSeq }, 'the gateway reports a chain gap');
      // A gap behind what it acknowledged: the gateway lost stored records (restored from a backup).
      const acked = this.d.outbox.ackState().through;
      if (ack.committedThroughSeq < acked) {
        const from = this.d.outbox.rewindAcknowledged(ack.committedThroughSeq);
        this.d.logger.warn(
          { acknowledgedThrough: acked, gatewayHead: ack.committedThroughSeq, resendFrom: from + 1 },
          'the gateway lost records it had acknowledged (restored from a backup?): sending them again',
        );
      }
      this.lastSentSeq = ack.committedThroughSeq;
    }
    this.pump();
    if (this.d.outbox.backlog() === 0) this.publishStatus();
  }

  /**
   * An ack that never came (lost in a cut): resend from the first unacknowledged record. A batch's
   * wait starts when the broker has it all (its PUBACK), or at the last ack if that came later.
   * Before its PUBACK a batch is still on the link, whose cut the connection's keepalive finds;
   * after it, acks still coming say the gateway works through the batches ahead. Timed from its
   * sending, a batch that a slow village link takes longer than the ack timeout to carry was sent
   * again at every timeout, each copy queued behind the last (test/village/slow-link.test.ts).
   */
  private checkAckTimeouts(): void {
    const now = performance.now();
    const late = (b: InFlightBatch) => b.brokerAtMono !== undefined && now - Math.max(b.brokerAtMono, this.lastAckMono) > this.o.section.ackTimeoutMs;
    if ([...this.inFlight.values()].some(late)) {
      this.inFlight.clear();
      this.lastSentSeq = 0;
      this.pump();
    }
  }

  /**
   * A request that failed because the connection closed under it: not the gateway's answer, and
   * the next connection asks again. mqtt.js fails a pending subscription as its socket closes,
   * before it marks itself disconnected: the socket says it.
   */
  private cutShort(err: Error | null | undefined): boolean {
    return err != null && (this.stopped || !this.client.connected || this.client.stream?.destroyed === true);
  }

  /**
   * The connection dropped (not stopped by us). If a batch had been on the link for a keepalive or
   * more, the link is slower than the batches: the next connection sends smaller ones (link-pace.ts).
   */
  connectionLost(): void {
    const now = performance.now();
    const onLink = [...this.inFlight.values()].find((b) => b.brokerAtMono === undefined);
    if (!onLink) return;
    const carryingMs = now - Math.max(onLink.sentAtMono, this.lastPubackMono);
    // On the link a keepalive or more when it dropped: the link is slower than the batches.
    if (carryingMs < this.o.section.keepaliveS * 1000) return;
    const batchBytes = this.o.pace.stalled(onLink.bytes, carryingMs);
    this.o.logs.warn(
      'slow-link',
      { batchBytes: onLink.bytes, onLinkMs: Math.round(carryingMs), nextBatchBytes: batchBytes },
      'a batch was still on its way to the gateway when the connection dropped: the link is slow, sending smaller batches',
    );
  }

  private lastParts = '';
  private readonly onView = (view: DeviceView): void => {
    const parts = `${view.connection.panel}/${view.connection.reader ?? ''}`;
    if (parts === this.lastParts) return;
    this.publishStatus();
  };

  private publishStatus(): void {
    if (this.stopped || !this.client.connected) return;
    const view = this.d.runtime.view();
    this.lastParts = `${view.connection.panel}/${view.connection.reader ?? ''}`;
    const fill = this.d.storeFill();
    const offset = this.d.clocks.currentOffset();
    const status: DeviceStatus = {
      deviceId: this.d.identity.deviceId,
      online: true,
      softwareVersion: this.d.softwareVersion,
      backlog: this.d.outbox.backlog(),
      lastSyncAt: this.d.outbox.lastAcknowledgedAt(),
      panel: view.connection.panel,
      ...(view.connection.reader ? { reader: view.connection.reader } : {}),
      at: this.d.clock.iso(),
      ...(offset !== undefined ? { clockOffsetMs: offset } : {}),
      ...(fill !== undefined ? { storeFill: Math.round(fill * 1000) / 1000 } : {}),
    };
    this.client.publish(deviceTopic(this.d.identity.deviceId, 'status'), JSON.stringify(status), { qos: 1, retain: true });
  }
}
