/**
 * The gateway's resident memory with devices connected, read the one way the benches read it
 * (bench:gateway, after-load-rss.ts, unit-env-ab.ts): connect them all, wait 2 s (the logins
 * settled), read; wait `quietMs` (V8 shrinks its heap, an idle batch-check worker ends), read
 * again; then the peak. `whileConnected` reads what else a bench wants before they disconnect.
 */
import { deviceTopic } from '@hcp/contract';
import type { RunningGateway } from '../lib/gateway-process.js';
import { gatewayRate, makeBatches } from './pg-throughput.js';
import { connectAll, disconnectAll, type SimDevice, sleep } from './sim-devices.js';
import { residentMiB } from './smaps.js';

export interface ConnectedRss {
  /** MiB 2 s after the last device connected. */
  atOnce: number;
  /** MiB after `quietMs` more with nothing sent. */
  quiet: number;
  /** The process's peak so far (VmHWM), MiB. */
  peak: number;
}

export async function rssWithDevices(gw: RunningGateway, devices: SimDevice[], quietMs: number, whileConnected?: (pid: number) => void): Promise<ConnectedRss> {
  const pid = gw.child.pid!;
  await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
  try {
    await sleep(2000);
    const atOnce = residentMiB(pid);
    await sleep(quietMs);
    const quiet = residentMiB(pid);
    whileConnected?.(pid);
    return { atOnce, quiet, peak: residentMiB(pid, 'VmHWM') };
  } finally {
    await disconnectAll(devices);
  }
}

/**
 * The load whose after-effect on memory bench:gateway reads, `rounds` times: its throughput phase
 * (100,000 ratings from the first 1, 50 and 500 of `devices`), then its backlog phase (the first device again).
 */
export async function benchGatewayLoad(gw: RunningGateway, devices: SimDevice[], rounds = 1): Promise<void> {
  const refusals = { nonceRefused: 0, connectRefused: 0 };
  for (let round = 0; round < rounds; round++)
    for (const n of [1, 50, 500, 1]) {
      const some = devices.slice(0, n);
      await gatewayRate(gw, some, makeBatches(some, 100_000).batches, 100_000, refusals);
    }
}
