/**
 * `npm run kiosk` as hall IT types it: without Electron's binary it says what to do and exits 3
 * with no stack trace; with a binary it builds the shell and runs it with the arguments given.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function npmRunKiosk(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('npm', ['run', '--silent', 'kiosk', '--', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => {
      stdout += b;
    });
    child.stderr.on('data', (b) => {
      stderr += b;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm run kiosk', () => {
  it('without the Electron binary: tells hall IT where to get it (npmmirror) or how to use Chromium, exits 3, no stack trace', async () => {
    const r = await npmRunKiosk(['--config', '/etc/hcp/kiosk.json'], { ELECTRON_OVERRIDE_DIST_PATH: undefined });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Electron's binary is not installed");
    expect(r.stderr).toContain("ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ ELECTRON_CUSTOM_DIR='{{ version }}' node node_modules/electron/install.js");
    expect(r.stderr).toMatch(/npm install --no-save electron@\d+\.\d+\.\d+/);
    expect(r.stderr).toContain('electron-app/chromium-shell/hcp-kiosk-chromium.sh');
    expect(r.stderr).toContain('/etc/chromium/policies/managed/');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/Error:/);
  });

  it('with a binary: builds the shell and starts it on dist/main/main.cjs with the arguments, passing its exit code on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-fake-electron-'));
    const argsFile = join(dir, 'args');
    // Stands in for the Electron executable: records how it was started.
    writeFileSync(join(dir, 'electron'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nexit 7\n`);
    chmodSync(join(dir, 'electron'), 0o755);
    const r = await npmRunKiosk(['--config', '/etc/hcp/kiosk.json'], { ELECTRON_OVERRIDE_DIST_PATH: dir });
    expect(r.code, r.stderr).toBe(7);
    const args = readFileSync(argsFile, 'utf8').trim().split('\n');
    expect(args[0]).toMatch(/electron-app\/dist\/main\/main\.cjs$/);
    expect(args.slice(1)).toEqual(['--config', '/etc/hcp/kiosk.json']);
    expect(readFileSync(args[0] ?? '', 'utf8')).toContain('hall-IT exit');
  });
});
