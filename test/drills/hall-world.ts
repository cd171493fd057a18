/**
 * The world of the press-to-province drill: a real gateway process, real device processes (each
 * behind its own loopback proxy, so one window can lose its network while the others keep it),
 * the provincial simulator, a window business system posting cases, citizens rating what their
 * window's device shows, and one clock for everyone that the drill moves forward by days
 * (HCP_CLOCK_FILE: the gateway and the devices add the offset in that file to their clocks).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { DEMO_STAFF, REPO_ROOT, startDevice, type RunningDevice } from '../../scripts/lib/device-process.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../scripts/lib/gateway-process.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { TcpProxy } from '../sync/tcp-proxy.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROVINCE_KEY = 'drill-province-shared-key';

export interface Window {
  n: number;
  number: string;
  windowId: string;
  deviceId: string;
  badge: string;
  proxy: TcpProxy;
  device: RunningDevice | null;
  /** The device's data dir and the key files of its enrolments, oldest first. */
  dir: string;
  keyFiles: string[];
  /** A rating must not be attempted while the drill has the process down. */
  down: boolean;
  /** One drill action on a window at a time (a kill must not meet a wipe). */
  busy: Promise<void>;
}

export interface Confirmed {
  ratingId: string;
  deviceId: string;
  caseNo: string | null;
  level: number;
  /** The world's day when pressed (0 = before the clock moved). */
  day: number;
  details: 'none' | 'at-once' | 'slow';
  reasons: number[];
}

export class HallWorld {
  gw!: RunningGateway;
  sim!: ProvinceSim;
  businessKey = '';
  readonly windows: Window[] = [];
  readonly clockFile: string;
  offsetMs = 0;
  private gwConfig = '';

  constructor(
    readonly dir: string,
    readonly size: number,
  ) {
    this.clockFile = join(dir, 'world-clock');
    writeFileSync(this.clockFile, '0');
  }

  env(): NodeJS.ProcessEnv {
    return { HCP_CLOCK_FILE: this.clockFile };
  }

  /** Move everyone's clock forward. */
  advance(ms: number): void {
    this.offsetMs += ms;
    writeFileSync(this.clockFile, String(this.offsetMs));
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  async start(): Promise<void> {
    this.sim = new ProvinceSim({ key: PROVINCE_KEY, dbFile: join(this.dir, 'province.db'), now: () => this.now() });
    const simUrl = await this.sim.start();
    this.gwConfig = writeGatewayConfig(join(this.dir, 'gw'), {
      logLevel: 'warn',
      // Fixed: devices fetch their key-proof nonces here, across the gateway's restarts.
      http: { port: await freePort() },
      cases: { invitationValidSec: 600, answerWaitMs: 0, defaultsEveryMs: 300 },
      province: {
        url: `${simUrl}/province/ratings`,
        appId: 'hcp-drill',
        key: PROVINCE_KEY,
        areaCode: '131000',
        deptCode: 'LF-ZWFW',
        timeoutMs: 1500,
        outbox: { holdMs: 4000, pumpEveryMs: 300, retryBaseMs: 200, retryMaxMs: 2000 },
      },
    });
    this.businessKey = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), 'create-business-key', '--config', this.gwConfig, '--user', 'drill-business'],
      { cwd: REPO_ROOT },
    )
      .stdout.toString()
      .trim();
    await this.startGateway();
    for (let n = 1; n <= this.size; n++) {
      const number = String(n).padStart(2, '0');
      const w: Window = {
        n,
        number,
        windowId: `w-${number}`,
        deviceId: `dev-drill-${number}`,
        badge: `0A1B2C${String(n).padStart(4, '0')}`,
        proxy: new TcpProxy(() => this.gw.mqttPort),
        device: null,
        dir: join(this.dir, `dev-${number}`),
        keyFiles: [],
        down: false,
        busy: Promise.resolve(),
      };
      await w.proxy.start();
      await this.hallIt('PUT', '/api/windows', { windowId: w.windowId, number, department: n % 2 ? '市场监管局' : '不动产登记中心' });
      await this.hallIt('PUT', '/api/staff', { ...DEMO_STAFF, staffId: `s-${number}`, staffNo: `A0${number}`, badgeUids: [w.badge], windowId: w.windowId });
      this.windows.push(w);
    }
    for (let i = 0; i < this.windows.length; i += 5) await Promise.all(this.windows.slice(i, i + 5).map((w) => this.enrolAndStart(w)));
  }

  async startGateway(): Promise<void> {
    this.gw = await startGateway(this.gwConfig, join(this.dir, 'gw', 'data'), { env: this.env() });
  }

  /** Register (again) and start a window's device with a fresh enrolment code. */
  async enrolAndStart(w: Window): Promise<void> {
    const registered = await this.hallIt('POST', '/api/devices', { deviceId: w.deviceId, windowId: w.windowId });
    if (registered.status !== 200) throw new Error(`register ${w.deviceId}: ${registered.status} ${JSON.stringify(registered.body)}`);
    const { code } = registered.body as { code: string };
    mkdirSync(w.dir, { recursive: true });
    const config = {
      bootstrap: { hallName: '廊坊市政务服务中心', window: { id: w.windowId, number: w.number, department: '市场监管局' }, roster: [] },
      gateway: {
        url: this.gw.http,
        mqttUrl: `mqtt://127.0.0.1:${w.proxy.port}`,
        enrolmentCode: code,
        ackTimeoutMs: 3000,
        retry: { initialMs: 200, maxMs: 2000, stableMs: 2000, refusedMs: 2000 },
      },
      invitationTimeoutSec: 600,
      detailsTimeoutSec: 120,
    };
    w.device = await startDevice({ deviceId: w.deviceId, dir: w.dir, config, env: this.env() });
    // The staff logs in once the roster (from the gateway) has the badge.
    const end = Date.now() + 60_000;
    while ((await w.device.api('POST', '/api/badge', { uid: w.badge })).status !== 200) {
      if (Date.now() > end) throw new Error(`${w.deviceId}: staff could not log in: ${w.device.stderr().slice(-800)}`);
      await sleep(200);
    }
    const keyFile = join(this.dir, `key-${w.number}-${w.keyFiles.length + 1}.pem`);
    cpSync(join(w.dir, 'data', 'device-key.pem'), keyFile);
    w.keyFiles.push(keyFile);
  }

  /** Hall IT's call, retried while the drill has the gateway down. */
  async hallIt(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: any }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.gw.api(method, path, body);
      } catch (err) {
        if (attempt > 150) throw err;
        await sleep(200);
      }
    }
  }

  /** Run a drill action on a window after any other on it. */
  private exclusive(w: Window, act: () => Promise<void>): Promise<void> {
    const run = w.busy.then(act);
    w.busy = run.catch(() => undefined);
    return run;
  }

  /** kill -9 a device and start it again on the same data dir. */
  killDevice(w: Window): Promise<void> {
    return this.exclusive(w, async () => {
      w.down = true;
      await w.device!.kill9();
      w.device = await startDevice({ deviceId: w.deviceId, dir: w.dir, config: deviceSections(w.device!.configFile), env: this.env() });
      w.down = false;
    });
  }

  /** A new SD card: the store is gone, the device gets a new key and is enrolled again. */
  wipe(w: Window): Promise<void> {
    return this.exclusive(w, async () => {
      w.down = true;
      await w.device!.kill9();
      rmSync(w.dir, { recursive: true, force: true });
      await this.enrolAndStart(w);
      w.down = false;
    });
  }

  async killGateway(): Promise<void> {
    await this.gw.kill9();
    await sleep(500);
    await this.startGateway();
  }

  /** The business system announces a case at a window. */
  async postCase(w: Window, caseNo: string): Promise<{ status: number; body: any }> {
    return this.businessCall('POST', '/api/cases', { caseNo, windowNumber: w.number, itemCode: '11131000MB0001', itemName: '个体工商户注册登记' });
  }

  async businessCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.gw.http}${path}`, {
          method,
          headers: { 'x-api-key': this.businessKey, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: await res.json() };
      } catch (err) {
        // The gateway is being restarted by the drill: a business system retries.
        if (attempt > 100) throw err;
        await sleep(200);
      }
    }
  }

  /** Stop the devices and the gateway (gracefully); the simulator stays up to be read. */
  async stopProcesses(): Promise<void> {
    for (const w of this.windows) {
      await w.device?.stop().catch(() => undefined);
      await w.proxy.stop();
    }
    await this.gw?.stop();
  }

  async stop(): Promise<void> {
    await this.stopProcesses();
    await this.sim?.stop().catch(() => undefined);
  }
}

/** The sections of a device's config file that startDevice takes back (it writes the rest itself). */
function deviceSections(file: string): Record<string, unknown> {
  const { deviceId: _d, dataDir: _dd, localApi: _l, logLevel: _lv, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return rest;
}
