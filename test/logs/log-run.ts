/**
 * Run a gateway program until it is ready, stop it, and answer everything it wrote: either on a
 * pipe (as under systemd or a script) or at a real terminal (util-linux `script` gives it a pty,
 * as a person at a console would have).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

export function gatewayConfigFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-logs-'));
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify({ dataDir: 'data', http: { port: 0 }, mqtt: { port: 0 }, logLevel: 'info', hall: { hallName: '廊坊市政务服务中心' } }));
  return file;
}

export interface GatewayRun {
  /** stderr on a pipe; the terminal's whole output (stdout and stderr, \r\n) at a terminal. */
  log: string;
  pid: number;
}

/** `whileReady` runs once the gateway said ready (e.g. to rotate its log file), before it is stopped. */
export async function runGateway(o: { args?: string[]; env?: NodeJS.ProcessEnv; terminal?: boolean; whileReady?: (pid: number) => Promise<void> } = {}): Promise<GatewayRun> {
  const argv = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), 'serve', '--config', gatewayConfigFile(), ...(o.args ?? [])];
  // Neither inherited from the shell running the tests: each case says what it wants.
  const env = { ...process.env, HCP_LOG_PRETTY: '', HCP_LOG_FILE: '', ...o.env };
  const child = o.terminal
    ? spawn('script', ['-qfec', argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const end = Date.now() + 120_000;
  let ready: RegExpExecArray | null = null;
  while (!(ready = /"event":"ready".*?"pid":(\d+)/.exec(out))) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`gateway not ready: ${out}${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(ready[1]);
  await o.whileReady?.(pid);
  // The gateway's own pid (under `script` the child is script itself).
  process.kill(pid, 'SIGTERM');
  await exited;
  return { log: o.terminal ? out : log, pid };
}

/** The lines a person reads: `[2026-11-30 09:00:00.000] INFO (hcp-gateway): gateway started`. */
export const READABLE_LINE = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] (?:\u001b\[\d+m)?INFO(?:\u001b\[\d+m)? \(hcp-gateway\): (?:\u001b\[\d+m)?gateway started/m;

/** Every non-empty line is a JSON object with pino's fields. */
export function jsonLines(text: string): Array<{ level: number; time: number; msg: string; name: string }> {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !l.includes('"event":"ready"'))
    .map((l) => JSON.parse(l));
}
