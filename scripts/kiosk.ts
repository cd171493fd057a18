/**
 * `npm run kiosk -- --config kiosk.json`: build the kiosk and start it in Electron. Electron's
 * binary is not downloaded on build machines (ELECTRON_SKIP_BINARY_DOWNLOAD=1), and from China
 * the default download host is often out of reach: when the binary is missing, say where to get
 * it and how to use Chromium instead, and exit 3 — no stack trace.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const EXIT_NO_ELECTRON = 3;

/** The Electron executable the `electron` package points at, or null when it was never downloaded. */
export function findElectron(): string | null {
  try {
    // Under plain Node, require('electron') is the executable's path; it throws when path.txt is missing.
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const ELECTRON_VERSION = (createRequire(import.meta.url)('../package.json') as { devDependencies: Record<string, string> }).devDependencies.electron;

export const NO_ELECTRON_HELP = `hcp-kiosk: Electron's binary is not installed, so the kiosk shell cannot start.
未安装 Electron 可执行文件，无法启动评价器界面。

Install it (in China, from the npmmirror mirror) / 安装（国内请用 npmmirror 镜像）:
  npm install --no-save electron@${ELECTRON_VERSION}        # only if node_modules/electron is missing
  ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ ELECTRON_CUSTOM_DIR='{{ version }}' node node_modules/electron/install.js
  npm run kiosk -- --config /etc/hcp/kiosk.json

Or use Chromium as the kiosk shell / 或用 Chromium 作为界面:
  sudo apt install chromium cage
  sudo install -m 0644 electron-app/chromium-shell/policies/hcp-kiosk.json /etc/chromium/policies/managed/
  electron-app/chromium-shell/hcp-kiosk-chromium.sh --token-file /var/lib/hcp/local-api.token
(see electron-app/README.md, "Chromium as the shell")
`;

async function main(): Promise<number> {
  const electron = findElectron();
  if (!electron) {
    process.stderr.write(NO_ELECTRON_HELP);
    return EXIT_NO_ELECTRON;
  }
  const { buildRenderer, buildShell, MAIN_DIST } = await import('../electron-app/build.js');
  await buildRenderer();
  await buildShell();
  const child = spawn(electron, [join(MAIN_DIST, 'main.cjs'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: ROOT });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await main();
}
