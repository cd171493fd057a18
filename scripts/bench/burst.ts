/**
 * A burst into the gateway as installed (issue 14), shared by the scripts that look inside one
 * (profile-ingest.ts, gc-by-thread.ts): the built gateway run as hcp-gateway.service runs it, with a
 * preload of the caller's in NODE_OPTIONS; N enrolled devices, connected and subscribed to their
 * acks, each with its share of the ratings signed and chained beforehand, so the burst itself
 * measures the gateway and not the load generator's signing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { type RunningGateway, startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { BATCH, batchPayload, connectAll, disconnectAll, enrolDevices, pushBatches, type SimDevice } from './sim-devices.js';

export interface Burst {
  gw: RunningGateway;
  devices: SimDevice[];
  /** Ratings the burst sends: each device's share rounded to whole batches, at least two each. */
  ratings: number;
  /** Sends every batch (at most as many in flight per device as device/sync keeps) and resolves with the seconds until the last ack. */
  push(): Promise<number>;
  close(): Promise<void>;
}

export interface BurstOptions {
  devices: number;
  ratings: number;
  idPrefix: string;
  /** A module the gateway imports first (--import), to look inside it. */
  preload: string;
  env?: Record<string, string>;
  /** Called as soon as the gateway is up, before the devices enrol (to read its output from the start). */
  started?: (gw: RunningGateway) => void;
}

export async function prepareBurst(o: BurstOptions): Promise<Burst> {
  const dir = mkdtempSync(join(tmpdir(), `${o.idPrefix}-`));
  const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
  const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), {
    program: await buildGatewayForBench(),
    unitEnv: { ...unit, ...o.env, NODE_OPTIONS: `${unit.NODE_OPTIONS ?? ''} --import ${o.preload}`.trim() },
  });
  o.started?.(gw);
  await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  const devices = await enrolDevices(gw, o.devices, o.idPrefix);
  const perDevice = Math.max(BATCH * 2, Math.floor(o.ratings / o.devices / BATCH) * BATCH);
  const batches = new Map(devices.map((d) => [d.id, Array.from({ length: perDevice / BATCH }, () => batchPayload(d, BATCH))]));
  await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
  return {
    gw,
    devices,
    ratings: o.devices * perDevice,
    async push() {
      const t0 = performance.now();
      await pushBatches(devices, batches, (d) => deviceTopic(d.id, 'records'), true);
      return (performance.now() - t0) / 1000;
    },
    async close() {
      await disconnectAll(devices);
      await gw.stop();
    },
  };
}
