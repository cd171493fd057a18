/**
 * For the production install test: a fresh checkout of the repository, `npm run build` in it, and
 * an install folder made from its dist/ alone with `npm ci --omit=dev`. Programs run there with
 * plain `node`: no tsx, no TypeScript, no devDependency, and no node_modules above the folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, stopControls } from '../../scripts/lib/device-process.js';

/** The environment of a service: nothing of the test runner's loaders (vitest, tsx) leaks in. */
export function serviceEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...extra };
}

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = serviceEnv(), timeoutMs = 240_000) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const out = { status: r.status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '', ms: Date.now() - started };
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return out;
}

/**
 * What a fresh clone holds: every file git would commit (tracked, and new files not ignored), so
 * the work not yet committed is tested too, and nothing ignored (no node_modules, no dist, no
 * built console or kiosk). `git clone` of the repository gives the same tree once it is committed.
 */
export function freshCheckout(into: string): void {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], REPO_ROOT, process.env);
  if (listed.status !== 0) throw new Error(`git ls-files: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const from = join(REPO_ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(from, join(into, file), { verbatimSymlinks: true });
  }
}

/**
 * The build tools for the checkout: each package of the main checkout's node_modules linked in
 * (what `npm ci` would put there), but the workspace package @hcp/contract pointing at the
 * checkout's own device/contract, so the build compiles the checkout and nothing else.
 */
export function linkBuildTools(checkout: string): void {
  const modules = join(checkout, 'node_modules');
  mkdirSync(join(modules, '@hcp'), { recursive: true });
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry === '@hcp') continue;
    symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry));
  }
  symlinkSync('../../device/contract', join(modules, '@hcp', 'contract'));
}

export interface Program {
  child: ChildProcess;
  /** The first JSON line on stdout with the wanted key. */
  ready: Record<string, unknown>;
  stderr(): string;
  stop(): Promise<void>;
}

/** Start `node <script> …args` in the install folder and wait for its JSON line naming `readyKey`. */
export async function startProgram(installDir: string, script: string, args: string[], readyKey: string, env: NodeJS.ProcessEnv = serviceEnv()): Promise<Program> {
  const child = spawn('node', [script, ...args], { cwd: installDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const ready = await new Promise<Record<string, unknown>>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${script} not ready in 60 s: ${err}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const m = JSON.parse(line) as Record<string, unknown>;
        if (readyKey in m) {
          clearTimeout(timer);
          res(m);
        }
      } catch {
        /* not a JSON line */
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${script} exited ${code} before ready: ${err}`));
    });
  });
  return { child, ready, stderr: () => err, stop: stopControls(child, exited).stop };
}
