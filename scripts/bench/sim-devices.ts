/**
 * Simulated evaluator devices for the gateway benchmarks: enrolled through the real HTTP API (as in
 * production), logging in with a key proof, sending signed hash-chained batches
 * over MQTT with at most a device's batches in flight (as device/sync does).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import { type BatchAck, GENESIS_HASH, type ChainRecord, type UnsignedRecord } from '@hcp/contract';
import { hashRecord, signHash } from '@hcp/contract/chain';
import { GatewaySectionSchema } from '../../device/sync/sync-config.js';
import { connectDevices } from './city-connect.js';
import { enrolWithRetry } from './city-enrol.js';
import type { RunningGateway } from '../lib/gateway-process.js';

/** A device's batch of a backlog: its default batch size (device/sync/sync-config.ts), the contract's most. */
export const BATCH = GatewaySectionSchema.shape.batchSize.parse(undefined);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SimDevice {
  id: string;
  key: KeyObject;
  client?: MqttClient | undefined;
  head: { seq: number; hash: string };
  password?: string;
  keyProof?: string | undefined;
}

export function rawDevice(id: string): SimDevice {
  return { id, key: generateKeyPairSync('ed25519').privateKey, head: { seq: 0, hash: GENESIS_HASH } };
}

export function makeRecords(d: SimDevice, n: number): ChainRecord[] {
  const out: ChainRecord[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date().toISOString();
    const u: UnsignedRecord = {
      kind: 'rating',
      id: uuidv7(),
      deviceId: d.id,
      seq: d.head.seq + 1,
      prevHash: d.head.hash,
      at,
      level: 5,
      channel: 'device-button',
      catalogueVersion: '2020.1',
      windowId: 'w-01',
      staffId: 's-001',
      invitation: { id: uuidv7(), source: 'staff', invitedAt: at },
      facts: { msFromInvitation: 2100, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 1, flags: [] },
    };
    const hash = hashRecord(u);
    out.push({ ...u, hash, sig: signHash(hash, d.key) } as ChainRecord);
    d.head = { seq: u.seq, hash };
  }
  return out;
}

export const batchPayload = (d: SimDevice, n: number): string => JSON.stringify({ batchId: uuidv7(), deviceId: d.id, records: makeRecords(d, n) });

/** Enrol `n` devices through the gateway's HTTP API (as in production); a refused step is tried again (city-enrol.ts). */
export async function enrolDevices(gw: RunningGateway, n: number, prefix: string): Promise<SimDevice[]> {
  return enrolWithRetry(gw, n, prefix, { refused: 0, lastError: '' });
}

/** Connect (50 at a time), as a device does (city-connect.ts); `gw` null: a bare broker, no login proof and no ack subscription. */
export async function connectAll(url: string, devices: SimDevice[], gw: RunningGateway | null, ackTopic: (id: string) => string): Promise<void> {
  await connectDevices(url, devices, { http: gw?.http ?? null, ackTopic: gw ? ackTopic : null });
}

export async function disconnectAll(devices: SimDevice[]): Promise<void> {
  await Promise.all(devices.map((d) => d.client?.endAsync()));
  for (const d of devices) d.client = undefined;
}

/**
 * What an ack refused, in one line (null: it refused nothing). A bench counts only what was stored:
 * a refused record is acked too, and fast (a chain gap is decided without a write).
 */
export function ackRefusal(deviceId: string, payload: Buffer): string | null {
  const ack = JSON.parse(payload.toString()) as BatchAck;
  const first = ack.rejected[0];
  return first ? `${deviceId}: ${ack.rejected.length} of batch ${ack.batchId} refused, the first ${first.code} (${first.reason})` : null;
}

/** Thrown when the gateway refused records a bench sent: its figure would time refusals, not storage. */
export function refusedError(refusals: string[]): Error {
  return new Error(`the gateway refused ${refusals.length} batch(es) the bench sent, so the figure would not be of stored ratings: ${refusals.slice(0, 3).join('; ')}`);
}

/** A device's bound on batches in flight, as its config takes it (device/sync/sync-config.ts). */
const MaxInFlight = GatewaySectionSchema.shape.maxInFlight;
/** What a device keeps in flight unless its config says otherwise. */
export const DEVICE_IN_FLIGHT = MaxInFlight.parse(undefined);

/**
 * A bench's in-flight bounds from `name`'s value (a comma-separated list; absent: the device's
 * default), each checked as a device's config checks it: a bound a device cannot have would
 * measure nothing a hall sees, and 0 or not a number would send nothing and never end.
 */
export function inFlightBounds(name: string, value: string | undefined): number[] {
  if (value === undefined) return [DEVICE_IN_FLIGHT];
  return value.split(',').map((v) => {
    const r = MaxInFlight.safeParse(v.trim() === '' ? Number.NaN : Number(v));
    if (!r.success) throw new Error(`${name}: ${JSON.stringify(v)} is not a device's batches in flight (${r.error.issues[0]!.message})`);
    return r.data;
  });
}

/**
 * Send each device's batches with at most `maxInFlight` in flight (as device/sync does: its default
 * unless a bench says otherwise); resolves when all are acked (app ack, or PUBACK on a bare
 * broker), and rejects once they are if the gateway refused any record.
 */
export async function pushBatches(
  devices: SimDevice[],
  batches: Map<string, string[]>,
  topicFor: (d: SimDevice) => string,
  awaitAppAck: boolean,
  maxInFlight = DEVICE_IN_FLIGHT,
): Promise<void> {
  const refusals: string[] = [];
  await Promise.all(
    devices.map(
      (d) =>
        new Promise<void>((resolve) => {
          const queue = [...batches.get(d.id)!];
          let inFlight = 0;
          const settled = () => {
            inFlight--;
            if (!queue.length && inFlight === 0) {
              d.client!.removeListener('message', acked);
              resolve();
            } else next();
          };
          const acked = (_topic: string, payload: Buffer) => {
            const refusal = ackRefusal(d.id, payload);
            if (refusal) refusals.push(refusal);
            settled();
          };
          const next = () => {
            while (inFlight < maxInFlight && queue.length) {
              inFlight++;
              const payload = queue.shift()!;
              if (awaitAppAck) d.client!.publish(topicFor(d), payload, { qos: 1 });
              else d.client!.publish(topicFor(d), payload, { qos: 1 }, settled);
            }
          };
          if (awaitAppAck) d.client!.on('message', acked);
          next();
        }),
    ),
  );
  if (refusals.length > 0) throw refusedError(refusals);
}
