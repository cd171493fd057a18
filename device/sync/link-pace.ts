/**
 * How large a batch a device's link carries in good time. A batch is one MQTT packet: until the
 * broker has all of it, nothing else the device sends or hears resets the connection's keepalive,
 * and mqtt.js drops a connection that has been silent for 1.5 keepalives. A 500-record batch is
 * some 370 kB, 45 s of a 64 kbit/s village link: sent whole, it would drop the connection every
 * time and the backlog would never go (test/village/slow-link.test.ts). So the device learns the
 * link's pace from the broker's PUBACKs and sends batches the link carries in a third of a
 * keepalive; on a fast link that is no bound below the contract's. Until a batch has gone through,
 * batches hold FIRST_BATCH_BYTES: a first batch too large for the link would be lost with the
 * connection after a keepalive and a half, and its bytes paid for on a metered link.
 */
export const FIRST_BATCH_BYTES = 32 * 1024;

export class LinkPace {
  /** What the link carried, bytes a second, over its latest busy stretch; unknown until a batch went through or stalled. */
  private bytesPerSecond: number | undefined;

  constructor(private readonly keepaliveMs: number) {}

  /** The most bytes the next batch may hold (the contract's limit still applies: recordsForOneBatch). */
  batchBytes(): number {
    if (this.bytesPerSecond === undefined) return FIRST_BATCH_BYTES;
    return Math.floor((this.bytesPerSecond * this.keepaliveMs) / 3 / 1000);
  }

  /**
   * The broker has had `bytes` in the `ms` since the link became busy (gateway-session.ts): over
   * a stretch, not a batch, since the PUBACKs of batches sent together come together.
   */
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
