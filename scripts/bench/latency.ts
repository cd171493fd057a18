/**
 * Press→ack latency at a steady rate from many devices, one rating per batch (as a device sends
 * right after a press): on the gateway the application ack (after the commit), on a bare broker
 * the QoS 1 PUBACK of the same payloads — the broker's own floor. LATENCY_DETAIL=1 prints each
 * round's slowest acks beside the load generator's own stalls (generator-stalls.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { v7 as uuidv7 } from 'uuid';
import { deviceTopic } from '@hcp/contract';
import { GeneratorWatch } from './generator-stalls.js';
import { ackRefusal, makeRecords, refusedError, sleep, type SimDevice } from './sim-devices.js';

export interface Latency {
  p50: number;
  p99: number;
  count: number;
  /** Wall-clock ms when the round's clock started: where another process's events fall in it. */
  startedAt: number;
}

export const quantile = (sorted: number[], p: number) => sorted[Math.floor(p * (sorted.length - 1))] ?? Number.NaN;

setFlagsFromString('--expose-gc');
/** A full collection of this process's heap (the flag above lets a new context see `gc`). */
const collectGarbage = runInNewContext('gc') as () => void;

/** `appAck`: wait for the gateway's ack on the device's ack topic (devices subscribed); else the PUBACK. */
export async function steadyLatency(devices: SimDevice[], perSecond: number, seconds: number, appAck: boolean): Promise<Latency> {
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  const refusals: string[] = [];
  let watch: GeneratorWatch | null = null;
  const onAck = (topic: string, p: Buffer) => {
    const refusal = ackRefusal(topic, p);
    if (refusal) refusals.push(refusal);
    const s = sentAt.get((JSON.parse(p.toString()) as { batchId: string }).batchId);
    if (s === undefined) return;
    lat.push(performance.now() - s);
    watch?.ack(s, performance.now() - s);
  };
  if (appAck) for (const d of devices) d.client!.on('message', onAck);
  // Payloads made before the clock starts: signing is the device's time, not the gateway's.
  const sends = Array.from({ length: perSecond * seconds }, (_, i) => {
    const d = devices[i % devices.length]!;
    const batchId = uuidv7();
    return { d, batchId, payload: JSON.stringify({ batchId, deviceId: d.id, records: makeRecords(d, 1) }) };
  });
  // The payloads just made fill the generator's young heap: collected during the round, they were
  // a pause of up to 20 ms in its first second (and a full collection later), every ack then
  // counted late (LATENCY_DETAIL=1 showed it). Collected before the clock starts instead.
  collectGarbage();
  const t0 = performance.now();
  if (process.env.LATENCY_DETAIL === '1') watch = new GeneratorWatch(t0);
  for (const [i, s] of sends.entries()) {
    const wait = t0 + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    const at = performance.now();
    sentAt.set(s.batchId, at);
    s.d.client!.publish(
      deviceTopic(s.d.id, 'records'),
      s.payload,
      { qos: 1 },
      appAck
        ? undefined
        : () => {
            lat.push(performance.now() - at);
            watch?.ack(at, performance.now() - at);
          },
    );
  }
  await sleep(1000);
  if (appAck) for (const d of devices) d.client!.removeListener('message', onAck);
  if (refusals.length > 0) throw refusedError(refusals);
  if (watch) console.log(watch.report());
  lat.sort((a, b) => a - b);
  return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), count: lat.length, startedAt: performance.timeOrigin + t0 };
}
