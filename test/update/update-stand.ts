/**
 * The update suite's stand: an in-process gateway with the releases feature on (the fixture of
 * test/sync with one more feature and its config section), device launchers as real processes
 * started from a real build, and a citizen pressing ratings at each device the whole time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { Gateway } from '../../gateway/gateway.js';
import { releasesFeature } from '../../gateway/releases/releases-feature.js';
import { deviceConfig } from '../support/device-process.js';
import { KIOSK_DIR } from './device-build.js';

export async function startReleaseGateway(trustedKeys: string[]): Promise<{ gw: Gateway; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-gw-upd-'));
  const features = [...GATEWAY_FEATURES.filter((f) => f.name !== 'releases'), releasesFeature];
  const config = parseGatewayConfig({ dataDir: join(dir, 'data'), http: { port: 0 }, mqtt: { port: 0 }, hall: { hallName: '测试大厅' }, releases: { trustedKeys } }, features, dir);
  const gw = new Gateway(config, pino({ level: 'silent' }), { features });
  await gw.start();
  await gw.registry.upsertWindow({ windowId: 'w-01', number: '01', department: '市场监管局' });
  await gw.registry.upsertWindow({ windowId: 'w-02', number: '02', department: '税务局' });
  for (const [n, windowId] of [
    [1, 'w-01'],
    [2, 'w-02'],
  ] as const) {
    await gw.registry.upsertStaff({ staffId: `s-upd-${n}`, staffNo: `U00${n}`, name: `窗口${n}`, post: '综合受理', title: '科员', badgeUids: [staffBadge(windowId)], windowId });
  }
  return { gw, dataDir: join(dir, 'data') };
}

/** The badge of the staff member registered at a window of this stand. */
export const staffBadge = (windowId: 'w-01' | 'w-02') => (windowId === 'w-01' ? '00AB0000C1' : '00AB0000C2');

export interface LaunchedDevice {
  deviceId: string;
  child: ChildProcess;
  dataDir: string;
  installRoot: string;
  /** The local API of the version running now (from its latest ready line). */
  api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  readyLines(): number;
  stderr(): string;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  deviceId: string;
  dir: string;
  /** The build the launcher runs from: the factory install. */
  factoryDir: string;
  gatewayUrl: string;
  mqttUrl: string;
  enrolmentCode: string;
  releaseKeyFile: string;
  healthTimeoutSec: number;
}

export async function startLauncher(o: LaunchOptions): Promise<LaunchedDevice> {
  mkdirSync(o.dir, { recursive: true });
  const configFile = join(o.dir, 'device.json');
  const config = deviceConfig({
    deviceId: o.deviceId,
    dir: o.dir,
    config: {
      localApi: { port: 0, staticDir: KIOSK_DIR },
      thanksTimeoutSec: 1,
      gateway: { url: o.gatewayUrl, mqttUrl: o.mqttUrl, enrolmentCode: o.enrolmentCode, retry: { initialMs: 200, maxMs: 1000, stableMs: 1000, refusedMs: 1000 } },
    },
  });
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const installRoot = join(o.dir, 'app');
  const child = spawn(
    process.execPath,
    [
      join(o.factoryDir, 'device/update/launcher-main.js'),
      '--config',
      configFile,
      '--install-root',
      installRoot,
      '--release-key',
      o.releaseKeyFile,
      '--health-timeout-sec',
      String(o.healthTimeoutSec),
      '--check-every-sec',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-40_000)));
  let ready: { localApi: string; token: string } | null = null;
  let readyCount = 0;
  let firstReady: () => void = () => undefined;
  const first = new Promise<void>((res) => (firstReady = res));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const m = JSON.parse(line) as { event?: string; localApi: string; token: string };
      if (m.event === 'ready') {
        ready = m;
        readyCount += 1;
        firstReady();
      }
    } catch {
      /* not a ready line */
    }
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  await Promise.race([first, exited.then(() => Promise.reject(new Error(`launcher of ${o.deviceId} exited: ${err}`)))]);
  return {
    deviceId: o.deviceId,
    child,
    dataDir: config.dataDir as string,
    installRoot,
    readyLines: () => readyCount,
    stderr: () => err,
    async api(method, path, body) {
      const r = ready!;
      const res = await fetch(`${r.localApi}${path}`, {
        method,
        headers: { authorization: `Bearer ${r.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* plain text */
      }
      return { status: res.status, body: parsed };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A citizen at the window the whole time: staff badge in when needed, "please rate", press 5.
 * Keeps the id of every rating the device confirmed; a press while no version runs (the switch)
 * fails to connect, as a button pressed on a dark screen would, and is not counted.
 */
export class Citizen {
  readonly confirmed: string[] = [];
  failedPresses = 0;
  /** The longest time in a row no version answered (the switches), in ms. */
  longestOutageMs = 0;
  private outageSince: number | null = null;
  private running = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly device: LaunchedDevice,
    private readonly badgeUid: string,
  ) {}

  start(): void {
    this.running = true;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        let invite = await this.device.api('POST', '/api/invite');
        if (this.outageSince !== null) this.longestOutageMs = Math.max(this.longestOutageMs, Date.now() - this.outageSince);
        this.outageSince = null;
        if (invite.status !== 200) {
          await this.device.api('POST', '/api/badge', { uid: this.badgeUid });
          invite = await this.device.api('POST', '/api/invite');
        }
        if (invite.status === 200) {
          const rate = await this.device.api('POST', '/api/rate', { level: 5 });
          if (rate.status === 200 && rate.body.ratingId) this.confirmed.push(rate.body.ratingId as string);
        }
      } catch {
        // Nothing answered: the switch (one version stopped, the next not yet serving).
        this.outageSince ??= Date.now();
        this.failedPresses += 1;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

export const until = async (what: () => Promise<boolean>, ms: number, label: string): Promise<number> => {
  const start = Date.now();
  while (!(await what())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - start;
};
