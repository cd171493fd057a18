/**
 * The gateway's resident memory with devices connected, read the one way the benches read it
 * (bench:gateway, after-load-rss.ts, unit-env-ab.ts): connect them all, wait 2 s (the logins
 * settled), read; wait `quietMs` (V8 shrinks its heap, an idle batch-check worker ends), read
 * again; then the peak. `whileConnected` reads what else a bench wants before they disconnect.
 */
import { deviceTopic } from '@hcp/contract';
import { type RunningGateway, startGateway } from '../lib/gateway-process.js';
import { gatewayRate, makeBatches } from './pg-throughput.js';
import { procStat } from './proc-stat.js';
import { connectAll, disconnectAll, type SimDevice, sleep } from './sim-devices.js';
import { residentMiB } from './smaps.js';

export interface ConnectedRss {
  /** MiB 2 s after the last device connected. */
  atOnce: number;
  /** MiB after `quietMs` more with nothing sent. */
  quiet: number;
  /** The process's peak so far (VmHWM), MiB. */
  peak: number;
  /** Seconds from the first connection to the last device's login accepted. */
  connectS: number;
  /** CPU seconds the gateway (every thread) used meanwhile: its logins' cost. */
  connectCpuS: number;
}

export async function rssWithDevices(gw: RunningGateway, devices: SimDevice[], quietMs: number, whileConnected?: (pid: number) => void): Promise<ConnectedRss> {
  const pid = gw.child.pid!;
  const cpu = () => procStat(`/proc/${pid}/stat`)?.cpuSeconds ?? 0;
  const [t0, cpu0] = [performance.now(), cpu()];
  await connectAll(gw.mqttUrl, devices, gw, (id) => deviceTopic(id, 'ack'));
  const [connectS, connectCpuS] = [(performance.now() - t0) / 1000, cpu() - cpu0];
  try {
    await sleep(2000);
    const atOnce = residentMiB(pid);
    await sleep(quietMs);
    const quiet = residentMiB(pid);
    whileConnected?.(pid);
    return { atOnce, quiet, peak: residentMiB(pid, 'VmHWM'), connectS, connectCpuS };
  } finally {
    await disconnectAll(devices);
  }
}

/** A restarted gateway's RSS as bench:gateway reads a fresh one. */
export interface FreshRss extends ConnectedRss {
  /** MiB 1 s after it started, no device connected. */
  empty: number;
}

/**
 * Stop `gw` and start it again on its config and data (`program` and `unitEnv` as `startGateway`
 * takes them), then read it as bench:gateway reads a fresh gateway (bench-gateway.ts, code-ab.ts
 * PHASES=fresh): 1 s after start, then as `rssWithDevices`. Returns the new process with its figures.
 */
export async function restartedRss(
  gw: RunningGateway,
  devices: SimDevice[],
  quietMs: number,
  start: { program?: string; unitEnv?: Record<string, string> },
): Promise<{ gw: RunningGateway; rss: FreshRss }> {
  await gw.stop();
  const restarted = await startGateway(gw.configFile, gw.dataDir, start);
  await sleep(1000);
  const empty = residentMiB(restarted.child.pid!);
  return { gw: restarted, rss: { empty, ...(await rssWithDevices(restarted, devices, quietMs)) } };
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
