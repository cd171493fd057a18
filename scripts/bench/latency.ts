/**
 * Press→ack latency at a steady rate from many devices, one rating per batch (as a device sends
 * right after a press): on the gateway the application ack (after the commit), on a bare broker
 * the QoS 1 PUBACK of the same payloads — the broker's own floor.
 */
import { v7 as uuidv7 } from 'uuid';
import { deviceTopic } from '@hcp/contract';
import { ackRefusal, makeRecords, refusedError, sleep, type SimDevice } from './sim-devices.js';

export interface Latency {
  p50: number;
  p99: number;
  count: number;
}

const quantile = (sorted: number[], p: number) => sorted[Math.floor(p * (sorted.length - 1))] ?? Number.NaN;

/** `appAck`: wait for the gateway's ack on the device's ack topic (devices subscribed); else the PUBACK. */
export async function steadyLatency(devices: SimDevice[], perSecond: number, seconds: number, appAck: boolean): Promise<Latency> {
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  const refusals: string[] = [];
  const onAck = (topic: string, p: Buffer) => {
    const refusal = ackRefusal(topic, p);
    if (refusal) refusals.push(refusal);
    const s = sentAt.get((JSON.parse(p.toString()) as { batchId: string }).batchId);
    if (s !== undefined) lat.push(performance.now() - s);
  };
  if (appAck) for (const d of devices) d.client!.on('message', onAck);
  // Payloads made before the clock starts: signing is the device's time, not the gateway's.
  const sends = Array.from({ length: perSecond * seconds }, (_, i) => {
    const d = devices[i % devices.length]!;
    const batchId = uuidv7();
    return { d, batchId, payload: JSON.stringify({ batchId, deviceId: d.id, records: makeRecords(d, 1) }) };
  });
  const t0 = performance.now();
  for (const [i, s] of sends.entries()) {
    const wait = t0 + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    const at = performance.now();
    sentAt.set(s.batchId, at);
    s.d.client!.publish(deviceTopic(s.d.id, 'records'), s.payload, { qos: 1 }, appAck ? undefined : () => lat.push(performance.now() - at));
  }
  await sleep(1000);
  if (appAck) for (const d of devices) d.client!.removeListener('message', onAck);
  if (refusals.length > 0) throw refusedError(refusals);
  lat.sort((a, b) => a - b);
  return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), count: lat.length };
}
