/**
 * The gateway's resident memory with devices connected, read the one way the benches read it
 * (bench:gateway, after-load-rss.ts, unit-env-ab.ts): connect them all, wait 2 s (the logins
 * settled), read; wait `quietMs` (V8 shrinks its heap, an idle batch-check worker ends), read
 * again; then the peak. `whileConnected` reads what else a bench wants before they disconnect.
 */
import { deviceTopic } from '@hcp/contract';
import type { RunningGateway } from '../lib/gateway-process.js';
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
