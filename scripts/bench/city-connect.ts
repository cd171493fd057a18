/**
 * Connecting many simulated devices (scripts/bench/sim-devices.ts) as a real device does: a
 * refused attempt is tried again after a pause instead of ending the bench. Two refusals are
 * expected under load and are counted, not hidden:
 *  - the gateway's nonce endpoint answering 500 on PostgreSQL when many devices ask at once (its
 *    SERIALIZABLE transaction fails more often than it retries);
 *  - Mosquitto refusing a device whose line the gateway has not yet written to its password file.
 */
import type { Socket } from 'node:net';
import { sign } from 'node:crypto';
import mqtt from 'mqtt';
import { composeProofPassword, mqttProofText } from '@hcp/contract';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimDevice } from './sim-devices.js';

export interface ConnectStats {
  /** Nonce requests answered with something other than 200 (then asked again). */
  nonceRefused: number;
  /** MQTT connections refused (then tried again). */
  connectRefused: number;
}

const ATTEMPTS = 8;

/** A fresh one-time nonce, asked again (after a pause) when the gateway answers anything but 200. */
async function freshNonce(http: string, id: string, stats: ConnectStats): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${http}/api/devices/${id}/nonce`, { method: 'POST' }).catch(() => null);
    if (res?.status === 200) return ((await res.json()) as { nonce: string }).nonce;
    await res?.body?.cancel();
    stats.nonceRefused++;
    if (attempt >= ATTEMPTS) throw new Error(`${id}: no nonce after ${ATTEMPTS} attempts (last HTTP ${res?.status ?? 'error'})`);
    await sleep(100 * attempt);
  }
}

async function connectOne(url: string, d: SimDevice, http: string | null, ackTopic: ((id: string) => string) | null, stats: ConnectStats): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const password =
      http && d.keyProof === 'connect'
        ? await freshNonce(http, d.id, stats).then((nonce) =>
            composeProofPassword(d.password!, nonce, sign(null, Buffer.from(mqttProofText(d.id, nonce)), d.key).toString('base64')),
          )
        : (d.password ?? 'x');
    try {
      const client = await mqtt.connectAsync(url, { clientId: d.id, username: d.id, password, reconnectPeriod: 0, clean: true });
      // As a device does (device/sync/gateway-sync.ts).
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      if (ackTopic) await client.subscribeAsync(ackTopic(d.id), { qos: 1 });
      d.client = client;
      return;
    } catch (err) {
      stats.connectRefused++;
      if (attempt >= ATTEMPTS) throw new Error(`${d.id}: not connected after ${ATTEMPTS} attempts: ${(err as Error).message}`);
      await sleep(250 * attempt);
    }
  }
}

/**
 * Connect `devices` to `url`, `parallel` at a time. `http`: the gateway whose nonce a key proof
 * needs (devices enrolled with keyProof 'connect'); `ackTopic`: subscribe to it (null: a bare broker).
 */
export async function connectDevices(
  url: string,
  devices: SimDevice[],
  o: { http: string | null; ackTopic: ((id: string) => string) | null; parallel?: number },
): Promise<ConnectStats> {
  const stats: ConnectStats = { nonceRefused: 0, connectRefused: 0 };
  const parallel = o.parallel ?? 50;
  for (let i = 0; i < devices.length; i += parallel) await Promise.all(devices.slice(i, i + parallel).map((d) => connectOne(url, d, o.http, o.ackTopic, stats)));
  return stats;
}
