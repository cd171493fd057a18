/**
 * Start a real gateway program (gateway/main.ts) as a child process for the demo, drills and tests,
 * with a first hall-IT account, and a small client for its HTTP API.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, stopControls, teeToFile } from './device-process.js';
import { SYSTEMD_PATH } from './systemd-unit.js';

export interface RunningGateway {
  child: ChildProcess;
  http: string;
  mqttPort: number;
  mqttUrl: string;
  configFile: string;
  dataDir: string;
  /** Call the HTTP API as the hall-IT account. */
  api(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  stderr(): string;
}

export const ADMIN = { username: 'hall-it', password: 'demo-password-2026' };

export function writeGatewayConfig(dir: string, overrides: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'gateway.json');
  writeFileSync(
    configFile,
    JSON.stringify({ dataDir: join(dir, 'data'), http: { port: 0 }, mqtt: { port: 0 }, logLevel: 'warn', hall: { hallName: '廊坊市政务服务中心' }, ...overrides }, null, 2),
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), 'create-admin', '--config', configFile, '--user', ADMIN.username], {
    cwd: REPO_ROOT,
    env: { ...process.env, HCP_ADMIN_PASSWORD: ADMIN.password },
  });
  if (r.status !== 0) throw new Error(`create-admin failed: ${r.stderr.toString()}`);
  return configFile;
}

/** Start a gateway on a config made by writeGatewayConfig (restarts reuse the same file). */
/**
 * `logFile`: also append the program's stderr (its JSON log lines) to this file. `program`: a
 * built gateway/main.js to run with plain node (scripts/bench/built-gateway.ts) instead of the source.
 * `unitEnv`: run it as a systemd unit does, with that environment (serviceEnvironment) and systemd's
 * PATH instead of this process's, so that a name the unit lacks is absent; `env` is then added to it.
 */
export async function startGateway(
  configFile: string,
  dataDir: string,
  o: { env?: NodeJS.ProcessEnv; unitEnv?: Record<string, string>; logFile?: string; program?: string } = {},
): Promise<RunningGateway> {
  const entry = o.program ? [o.program] : ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts')];
  const child = spawn(process.execPath, [...entry, 'serve', '--config', configFile], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // As systemd starts a service: its Environment= lines and systemd's PATH, nothing of this shell's.
    env: o.unitEnv ? { PATH: SYSTEMD_PATH, ...o.unitEnv, ...o.env } : { ...process.env, ...o.env },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-50_000)));
  if (o.logFile) teeToFile(child, o.logFile);
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const ready = await new Promise<{ http: string; mqttPort: number }>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`gateway not ready in 180 s: ${err}`)), 180_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const m = JSON.parse(line);
        if (m.event === 'ready') {
          clearTimeout(timer);
          res(m);
        }
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`gateway exited ${code} before ready: ${err}`));
    });
  });
  let token = '';
  const call = async (method: string, path: string, body?: unknown, auth = true) => {
    const res = await fetch(`${ready.http}${path}`, {
      method,
      headers: { ...(auth && token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* text */
    }
    return { status: res.status, body: parsed as any };
  };
  const login = async () => (token = (await call('POST', '/api/login', ADMIN, false)).body.token);
  await login();
  return {
    child,
    http: ready.http,
    mqttPort: ready.mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${ready.mqttPort}`,
    configFile,
    dataDir,
    // A session ends (12 h, or a drill moving the clock by days): log in again, as a person would.
    api: async (m, p, b) => {
      const r = await call(m, p, b);
      if (r.status !== 401) return r;
      await login();
      return call(m, p, b);
    },
    stderr: () => err,
    ...stopControls(child, exited),
  };
}
