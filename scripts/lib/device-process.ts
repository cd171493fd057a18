/**
 * Start a real device program (device/main.ts) as a child process for tests and drills: writes its
 * config file, waits for the `{"event":"ready"}` line, and offers the local API with its token.
 * Used by the demo hall, the benchmarks, and the device, sync, kiosk and hardware suites alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export const DEMO_STAFF = {
  staffId: 's-001',
  staffNo: 'A001',
  name: '张晓梅',
  post: '综合受理',
  title: '科员',
  badgeUids: ['0A1B2C3D4E'],
};

export interface DeviceProcessOptions {
  deviceId: string;
  /** A directory the test owns; the data dir and config file go inside it. */
  dir: string;
  /** Merged over the defaults below (bootstrap, timeouts, simulator, gateway, hardware …). */
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Also append everything the program writes to stderr (its JSON log lines) to this file. */
  logFile?: string;
}

export interface RunningDevice {
  child: ChildProcess;
  url: string;
  token: string;
  dataDir: string;
  configFile: string;
  /** Call the local API; returns status and parsed JSON body. */
  api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Graceful stop (SIGTERM), waiting for exit. */
  stop(): Promise<void>;
  /** kill -9, waiting for exit. */
  kill9(): Promise<void>;
  stderr(): string;
}

export function deviceConfig(o: DeviceProcessOptions): Record<string, unknown> {
  return {
    deviceId: o.deviceId,
    dataDir: join(o.dir, 'data'),
    localApi: { port: 0 },
    logLevel: 'warn',
    bootstrap: {
      hallName: '廊坊市政务服务中心',
      window: { id: `w-${o.deviceId}`, number: '01', department: '市场监管局' },
      roster: [DEMO_STAFF],
    },
    ...o.config,
  };
}

export async function startDevice(o: DeviceProcessOptions): Promise<RunningDevice> {
  mkdirSync(o.dir, { recursive: true });
  const configFile = join(o.dir, 'device.json');
  const config = deviceConfig(o);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'device/main.ts'), '--config', configFile], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  if (o.logFile) teeToFile(child, o.logFile);
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const ready = await new Promise<{ localApi: string; token: string }>((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    // Generous: on a loaded 2-core machine a cold start (tsx compiling) can take tens of seconds;
    // a process that died says so at once through 'exit' below.
    const timer = setTimeout(() => rej(new Error(`device ${o.deviceId} not ready in 180 s: ${err}`)), 180_000);
    rl.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { event?: string; localApi: string; token: string };
        if (msg.event === 'ready') {
          clearTimeout(timer);
          res(msg);
        }
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`device ${o.deviceId} exited with ${code} before ready: ${err}`));
    });
  });
  const api: RunningDevice['api'] = async (method, path, body) => {
    const res = await fetch(`${ready.localApi}${path}`, {
      method,
      headers: { authorization: `Bearer ${ready.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* plain text */
    }
    return { status: res.status, body: parsed };
  };
  return {
    child,
    url: ready.localApi,
    token: ready.token,
    dataDir: config.dataDir as string,
    configFile,
    api,
    stderr: () => err,
    ...stopControls(child, exited),
  };
}

/** Graceful stop (SIGTERM) and kill -9 of a child program, each waiting for its exit. */
export function stopControls(child: ChildProcess, exited: Promise<void>): { stop(): Promise<void>; kill9(): Promise<void> } {
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { stop: () => signal('SIGTERM'), kill9: () => signal('SIGKILL') };
}

/**
 * Append a child's stderr (its log lines, and a crash's last words) to a file, as well as keeping
 * the tail in memory: the demo prints where each process's log is (docs/OPERATIONS.md "Logs").
 */
export function teeToFile(child: ChildProcess, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file, { flags: 'a' });
  child.stderr!.on('data', (d: Buffer) => out.write(d));
  child.once('exit', () => out.end());
}
