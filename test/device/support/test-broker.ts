/**
 * A stand-in for the hall gateway's MQTT side in the device suites (the real gateway is being
 * rewritten): a real aedes on 127.0.0.1, an `authenticate` the test chooses (password, key proof),
 * a record of what devices publish, and optionally the gateway's application-level ack of every batch.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { RecordBatchSchema, deviceTopic, parseDeviceTopic, type BatchAck, type TopicKind } from '../../../device/contract/index.js';
import { waitUntil } from '../../../scripts/lib/wait-until.js';

export interface TestBrokerOptions {
  /** Decide a CONNECT; by default everyone gets in. */
  authenticate?: (clientId: string, username: string | undefined, password: string | undefined) => boolean | Promise<boolean>;
  /** Ack each batch after it arrives, as the gateway does after its commit. */
  ack?: boolean;
  /** The gateway's clock, for acks. */
  gatewayTime?: () => Date;
}

export interface Published {
  clientId: string;
  deviceId: string;
  kind: TopicKind;
  json: any;
}

export class TestBroker {
  readonly published: Published[] = [];
  /** CONNECTs seen, accepted or not; and the ones refused. */
  connects = 0;
  refused = 0;
  /** TCP connections, and when each came (performance.now()). */
  sockets = 0;
  readonly socketTimes: number[] = [];
  /** Down: every TCP connection is closed at once, as a gateway that is restarting does. */
  down = false;
  acking: boolean;
  private readonly committed = new Map<string, number>();
  private readonly open = new Set<Socket>();

  private constructor(
    readonly aedes: Aedes,
    private readonly server: Server,
    readonly port: number,
    private readonly o: TestBrokerOptions,
  ) {
    this.acking = o.ack ?? false;
  }

  static async start(o: TestBrokerOptions = {}): Promise<TestBroker> {
    let self: TestBroker | undefined;
    const aedes = await Aedes.createBroker({
      authenticate: (client: Client, username, password, done) => {
        self!.connects += 1;
        void Promise.resolve(o.authenticate ? o.authenticate(client.id, username, password?.toString()) : true).then((ok) => {
          if (!ok) self!.refused += 1;
          done(ok ? null : (Object.assign(new Error('bad username or password'), { returnCode: 4 }) as never), ok);
        });
      },
    });
    aedes.on('publish', (packet, client) => {
      if (!client || !self) return;
      const t = parseDeviceTopic(packet.topic);
      if (!t) return;
      let json: unknown;
      try {
        json = JSON.parse(packet.payload.toString());
      } catch {
        json = packet.payload.toString();
      }
      self.published.push({ clientId: client.id, deviceId: t.deviceId, kind: t.kind, json });
      if (t.kind === 'records' && self.acking) self.ackBatch(t.deviceId, json);
    });
    const server = createServer((s) => {
      self!.sockets += 1;
      self!.socketTimes.push(performance.now());
      if (self!.down) return void s.destroy();
      self!.open.add(s);
      s.on('close', () => self!.open.delete(s));
      aedes.handle(s);
    });
    const port = await new Promise<number>((res) => server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)));
    self = new TestBroker(aedes, server, port, o);
    return self;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** What a device published on one of its topics, parsed. */
  of(deviceId: string, kind: TopicKind): any[] {
    return this.published.filter((p) => p.deviceId === deviceId && p.kind === kind).map((p) => p.json);
  }

  /** Close a client's connection from the broker's side. */
  drop(clientId: string): void {
    (this.aedes as unknown as { clients: Record<string, { close(): void } | undefined> }).clients[clientId]?.close();
  }

  connectedClients(): string[] {
    return Object.keys((this.aedes as unknown as { clients: Record<string, unknown> }).clients);
  }

  async waitFor(check: () => boolean, ms = 10_000, what = String(check)): Promise<void> {
    if (!(await waitUntil(check, ms))) throw new Error(`not within ${ms} ms: ${what}`);
  }

  publish(deviceId: string, kind: TopicKind, payload: unknown): Promise<void> {
    return new Promise((res, rej) =>
      this.aedes.publish({ cmd: 'publish', topic: deviceTopic(deviceId, kind), payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false }, (err) =>
        err ? rej(err) : res(),
      ),
    );
  }

  private ackBatch(deviceId: string, json: unknown): void {
    const batch = RecordBatchSchema.safeParse(json);
    if (!batch.success) return;
    // Committed through the highest seq reached without a gap, as the gateway counts it.
    let through = this.committed.get(deviceId) ?? 0;
    for (const r of batch.data.records) if (r.seq <= through + 1) through = Math.max(through, r.seq);
    this.committed.set(deviceId, through);
    const ack: BatchAck = { batchId: batch.data.batchId, committedThroughSeq: through, rejected: [], gatewayTime: (this.o.gatewayTime?.() ?? new Date()).toISOString() };
    void this.publish(deviceId, 'ack', ack);
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((res) => this.aedes.close(() => res()));
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}
