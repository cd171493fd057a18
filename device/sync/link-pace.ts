/**
 * How large a batch a device's link carries in good time. A batch is one MQTT packet: until the
 * broker has all of it, nothing else the device sends or hears resets the connection's keepalive,
 * and mqtt.js drops a connection that has been silent for 1.5 keepalives. A 500-record batch is
 * some 370 kB, 45 s of a 64 kbit/s village link: sent whole, it would drop the connection every
 * time and the backlog would never go (test/village/slow-link.test.ts). So the device learns the
 * link's pace from the broker's PUBACKs and sends batches the link carries in a third of a
 * keepalive; on a fast link that is no bound below the contract's.
 */
export class LinkPace {
  /** What the link carried, bytes a second, from the latest batch; unknown until one went through or stalled. */
  private bytesPerSecond: number | undefined;

  constructor(private readonly keepaliveMs: number) {}

  /** The most bytes the next batch may hold (the contract's limit still applies: recordsForOneBatch). */
  batchBytes(): number {
    if (this.bytesPerSecond === undefined) return Number.POSITIVE_INFINITY;
    return Math.floor((this.bytesPerSecond * this.keepaliveMs) / 3 / 1000);
  }

  /** The broker had all of a batch of `bytes`, `ms` after the link began carrying it. */
  carried(bytes: number, ms: number): void {
    this.bytesPerSecond = (bytes * 1000) / Math.max(ms, 1);
  }

  /**
   * The connection dropped while a batch of `bytes` had been on the link for `ms`, at least a
   * keepalive: the link carries less than that pace. Half of it, until a batch says better.
   * Answers the bytes the next batch may hold.
   */
  stalled(bytes: number, ms: number): number {
    const below = (bytes * 1000) / Math.max(ms, 1);
    this.bytesPerSecond = Math.min(this.bytesPerSecond ?? below, below) / 2;
    return this.batchBytes();
  }
}
