/**
 * Debian's Chromium started as the kiosk shell with hcp's managed policy. Chromium on Linux reads
 * managed policies only from /etc/chromium/policies/managed; a file written there would bind every
 * Chromium on this machine (other suites' included) while this test runs, so the policy directory
 * is bind-mounted over /etc/chromium in a private mount namespace (unshare, root here) for this
 * Chromium alone: the same path and loader as on a device, and nothing else sees it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SHELL_DIR = resolve(import.meta.dirname, '../../electron-app/chromium-shell');

/** The shipped policy with its allow-list pointed at `origin` (as the install step does with sed). */
export function shippedPolicy(origin: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SHELL_DIR, 'policies/hcp-kiosk.json'), 'utf8').replaceAll('http://127.0.0.1:8765', origin));
}

export function shippedFlags(): string[] {
  return readFileSync(join(SHELL_DIR, 'chromium-flags.conf'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The processes whose command line names `dir` (a zombie's is empty: it is not counted). */
export function processesNaming(dir: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) found.push(Number(pid));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/**
 * The port and path Chromium writes to its profile's DevToolsActivePort ("9222\n/devtools/browser/…"),
 * once both are there: the file exists before its text is written, and a CI run read it empty
 * (ws://127.0.0.1:undefined).
 */
export async function devToolsActivePort(file: string, timeoutMs = 15_000): Promise<{ port: number; path: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = existsSync(file) ? /^(\d+)\n(\/devtools\/browser\/\S+)/.exec(readFileSync(file, 'utf8')) : null;
    if (m) return { port: Number(m[1]), path: m[2]! };
    if (Date.now() > until) throw new Error(`Chromium wrote no DevTools port to ${file} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PolicyChromium {
  /** ws:// endpoint of the browser's DevTools protocol (remote debugging, for the test only). */
  wsEndpoint: string;
  debugPort: number;
  downloadsDir: string;
  /** The shell's directory (policy, home, profile): removed by stop(). */
  root: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function launchUnderPolicy(policy: Record<string, unknown>, url: string): Promise<PolicyChromium> {
  const root = mkdtempSync(join(tmpdir(), 'hcp-chromium-shell-'));
  const etc = join(root, 'etc-chromium');
  mkdirSync(join(etc, 'policies', 'managed'), { recursive: true });
  if (existsSync('/etc/chromium/master_preferences')) copyFileSync('/etc/chromium/master_preferences', join(etc, 'master_preferences'));
  writeFileSync(join(etc, 'policies', 'managed', 'hcp-kiosk.json'), JSON.stringify(policy));
  const home = join(root, 'home');
  const downloadsDir = join(home, 'Downloads');
  mkdirSync(downloadsDir, { recursive: true });
  const profile = join(root, 'profile');
  const wrapper = join(root, 'chromium-in-namespace');
  writeFileSync(wrapper, `#!/bin/sh\nexec unshare --mount sh -c 'mount --bind "$0" /etc/chromium && exec /usr/bin/chromium "$@"' '${etc}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--remote-debugging-port=0',
    `--user-data-dir=${profile}`,
    ...shippedFlags(),
    `--app=${url}`,
  ];
  const child = spawn(wrapper, args, { env: { ...process.env, HOME: home, XDG_DOWNLOAD_DIR: downloadsDir }, stdio: 'ignore' });
  const { port, path } = await devToolsActivePort(join(profile, 'DevToolsActivePort'));
  return {
    wsEndpoint: `ws://127.0.0.1:${port}${path}`,
    debugPort: Number(port),
    downloadsDir,
    root,
    child,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      // Chromium's crash handler runs in a session of its own, not as the browser's child: it
      // outlived the browser and wrote into the home being removed (a CI run failed with ENOTEMPTY
      // here). It goes too, and the removal waits until nothing of the shell runs.
      for (let i = 0; i < 50; i++) {
        const left = processesNaming(root);
        if (left.length === 0) break;
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // ended meanwhile
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
