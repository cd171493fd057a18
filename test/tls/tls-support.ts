/**
 * For the TLS tests: the gateway program run as hall IT runs it (its CLI, a real process), and
 * HTTPS calls that trust only the CA file given, as a device does.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, stopControls } from '../../scripts/lib/device-process.js';

const GATEWAY_MAIN = join(REPO_ROOT, 'gateway/main.ts');
/** tsx by file URL, so the program also runs from a working folder outside the repository. */
const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export function gatewayCli(args: string[], o: SpawnSyncOptions = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, GATEWAY_MAIN, ...args], { cwd: REPO_ROOT, timeout: 60_000, ...o });
  return { status: r.status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}

/** The CA file the command tells hall IT to give devices. */
export function caFileFrom(makeTlsStdout: string): string {
  const m = /gateway\.caFile: (\S+)/.exec(makeTlsStdout);
  if (!m) throw new Error(`make-tls printed no CA file:\n${makeTlsStdout}`);
  return m[1]!;
}

export interface ServingGateway {
  http: string;
  mqttPort: number;
  stop(): Promise<void>;
  stderr(): string;
}

export async function serveGateway(configFile: string): Promise<ServingGateway> {
  const child = spawn(process.execPath, ['--import', TSX, GATEWAY_MAIN, 'serve', '--config', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const ready = await new Promise<{ http: string; mqttPort: number }>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`gateway not ready in 120 s: ${err}`)), 120_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('"ready"')) return;
      clearTimeout(timer);
      res(JSON.parse(line));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`gateway exited ${code} before ready: ${err}`));
    });
  });
  return { ...ready, stderr: () => err, stop: stopControls(child, exited).stop };
}

/** A JSON call over HTTPS trusting only `ca` (a PEM): a wrong CA rejects with Node's TLS error. */
export function httpsJson(url: string, ca: Buffer, o: { method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  return new Promise((res, rej) => {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(
      url,
      {
        method: o.method ?? 'GET',
        ca,
        headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (r) => {
        let text = '';
        r.on('data', (d: Buffer) => (text += d.toString()));
        r.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          res({ status: r.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', rej);
    req.end(body);
  });
}
