/**
 * Every device of a city sending its backlog at once, as device/sync/gateway-session.ts does: at
 * most 2 batches in flight, and on an ack that reports a chain gap, sending again from the seq the
 * gateway has committed. With several workers taking batches from one shared subscription, a
 * device's second batch can reach a worker before its first is committed by another: that worker
 * refuses it as a gap and the device sends it again. Those resends are counted and printed.
 */
import { v7 as uuidv7 } from 'uuid';
import { deviceTopic, type ChainRecord } from '@hcp/contract';
import { DEVICE_IN_FLIGHT, makeRecords, type SimDevice } from './sim-devices.js';

interface Batch {
  lastSeq: number;
  payload: string;
}

export interface Backlog {
  perDevice: Map<string, Batch[]>;
  records: ChainRecord[];
  batchSize: number;
}

/** Each device's next `perDevice` ratings, signed, as batches of at most `batchSize` (made before any clock starts). */
export function makeBacklog(devices: SimDevice[], perDevice: number, batchSize: number): Backlog {
  const size = Math.min(batchSize, perDevice);
  const records: ChainRecord[] = [];
  const perDeviceBatches = new Map<string, Batch[]>();
  for (const d of devices) {
    const batches: Batch[] = [];
    for (let left = perDevice; left > 0; left -= size) {
      const rs = makeRecords(d, Math.min(size, left));
      records.push(...rs);
      batches.push({ lastSeq: rs[rs.length - 1]!.seq, payload: JSON.stringify({ batchId: uuidv7(), deviceId: d.id, records: rs }) });
    }
    perDeviceBatches.set(d.id, batches);
  }
  return { perDevice: perDeviceBatches, records, batchSize: size };
}

interface Ack {
  committedThroughSeq: number;
  rejected: Array<{ code: string }>;
}

export interface BacklogResult {
  seconds: number;
  /** Batches sent again: after an ack reporting a chain gap, or after an ack that never came. */
  resent: number;
  /** Times a device waited `ackTimeoutMs` for an ack in vain (the broker dropped a batch, or its ack). */
  ackTimeouts: number;
  /** Records the gateway refused for another reason than a gap (must be 0). */
  refused: number;
}

/**
 * Send every device's backlog (devices connected and subscribed to their ack topic); resolves when
 * each is committed through its last seq. `ackTimeoutMs`: the device's default (device/sync/sync-config.ts).
 */
export async function pushBacklog(devices: SimDevice[], backlog: Backlog, maxInFlight = DEVICE_IN_FLIGHT, ackTimeoutMs = 10_000): Promise<BacklogResult> {
  let resent = 0;
  let refused = 0;
  let ackTimeouts = 0;
  const timeoutChecks: Array<() => void> = [];
  const ticker = setInterval(() => {
    for (const check of timeoutChecks) check();
  }, 500);
  const t0 = performance.now();
  await Promise.all(
    devices.map(
      (d) =>
        new Promise<void>((resolve) => {
          const batches = backlog.perDevice.get(d.id)!;
          const finalSeq = batches[batches.length - 1]!.lastSeq;
          const client = d.client!;
          let next = 0;
          let inFlight = 0;
          let oldestSentAt = 0;
          let committed = 0;
          let sentThrough = -1;
          let failed = false;
          let done = false;
          const pump = () => {
            while (inFlight < maxInFlight && next < batches.length) {
              const i = next++;
              const b = batches[i]!;
              if (b.lastSeq <= committed) continue;
              if (i <= sentThrough) resent++;
              sentThrough = Math.max(sentThrough, i);
              if (inFlight++ === 0) oldestSentAt = performance.now();
              client.publish(deviceTopic(d.id, 'records'), b.payload, { qos: 1 });
            }
          };
          // As the device does: go on from the first batch past what the gateway has committed.
          const rewind = () => {
            next = batches.findIndex((b) => b.lastSeq > committed);
          };
          timeoutChecks.push(() => {
            if (done || inFlight === 0 || performance.now() - oldestSentAt < ackTimeoutMs) return;
            ackTimeouts++;
            inFlight = 0;
            rewind();
            pump();
          });
          const onAck = (_topic: string, payload: Buffer) => {
            const ack = JSON.parse(payload.toString()) as Ack;
            // An ack that comes after its batch timed out finds nothing in flight.
            inFlight = Math.max(0, inFlight - 1);
            oldestSentAt = performance.now();
            committed = Math.max(committed, ack.committedThroughSeq);
            const notGaps = ack.rejected.filter((r) => r.code !== 'chain-gap').length;
            refused += notGaps;
            failed ||= notGaps > 0;
            const gap = ack.rejected.some((r) => r.code === 'chain-gap');
            // A refused record is never committed: this device is done (the count check shows the loss).
            if ((committed >= finalSeq || failed) && inFlight === 0) {
              done = true;
              client.removeListener('message', onAck);
              resolve();
              return;
            }
            if (failed) return;
            if (gap || (next >= batches.length && inFlight === 0)) rewind();
            pump();
          };
          client.on('message', onAck);
          pump();
        }),
    ),
  );
  clearInterval(ticker);
  return { seconds: (performance.now() - t0) / 1000, resent, ackTimeouts, refused };
}

/** Count the acks that refuse records (any code) on `devices` until the returned function is called; it gives the count. */
export function watchRefusals(devices: SimDevice[]): () => number {
  let refusing = 0;
  const onAck = (_topic: string, payload: Buffer) => {
    if ((JSON.parse(payload.toString()) as Ack).rejected.length > 0) refusing++;
  };
  for (const d of devices) d.client!.on('message', onAck);
  return () => {
    for (const d of devices) d.client?.removeListener('message', onAck);
    return refusing;
  };
}
