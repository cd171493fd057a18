/**
 * Issue 15, "Install", must show: the units checked with `systemd-analyze verify`. They are
 * installed into a scratch root (--root) laid out as a hall machine: the system's own units, the
 * hcp units in /etc/systemd/system, and every program their Exec lines name. systemd checks those
 * programs exist and are executable; which ones are stand-ins here is listed below and checked,
 * so nothing is skipped silently. Their hardening is measured with `systemd-analyze security`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PANEL_USB } from '../../device/hardware/hardware-config.js';
import { MAIN_DIST } from '../../electron-app/build.js';
import { ENTRY_POINTS } from '../../scripts/build.js';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { applySetting, environmentWords, serviceEnvironment } from '../../scripts/lib/systemd-unit.js';

const UNITS_DIR = join(REPO_ROOT, 'deploy/systemd');
const UNITS = ['hcp-gateway.service', 'hcp-device.service', 'hcp-kiosk.service'];
const INSTALL_DIR = '/opt/hcp'; // where docs/INSTALL.md puts the build output
/** Programs that cannot be on this build machine, with why: placed as empty executables in the scratch root. */
const STAND_INS: Record<string, string> = {
  '/usr/bin/cage': 'the Wayland kiosk compositor: installed on devices (apt install cage), not needed by any test here',
};
// Arguments are not checked by systemd: /opt/electron/electron (unpacked on devices from the
// npmmirror mirror) and the scripts under /opt/hcp are checked against the build below.

const unitText = (name: string) => readFileSync(join(UNITS_DIR, name), 'utf8');
const settings = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
/** The commands of Exec lines (ExecStart=, ExecReload=; an empty ExecStart= only resets). */
const commandsOf = (text: string) =>
  ['ExecStart', 'ExecReload']
    .flatMap((k) => settings(text, k))
    .filter((c) => c !== '')
    .map((c) => c.split(/\s+/));

/** A program an Exec line names, as it will be on a hall machine, or the reason it is a stand-in. */
function provide(root: string, path: string): 'from this machine' | 'from the build' | 'stand-in' {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  if (path.startsWith(`${INSTALL_DIR}/`)) {
    // Shipped as-is in the build output (scripts/build.ts copies it from the repository).
    copyFileSync(join(REPO_ROOT, relative(INSTALL_DIR, path)), target);
    return 'from the build';
  }
  if (path in STAND_INS) {
    writeFileSync(target, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return 'stand-in';
  }
  // Anything else must be on this Debian machine too (node from setup, kill from procps/coreutils).
  accessSync(path, constants.X_OK);
  writeFileSync(target, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return 'from this machine';
}

/** A scratch root with the system's units and ours; `dropIns` maps a unit to its drop-in files. */
function hallRoot(dropIns: Record<string, Record<string, string>> = {}, edit: (name: string, text: string) => string = (_, t) => t) {
  const root = mkdtempSync(join(tmpdir(), 'hcp-units-'));
  cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  const etc = join(root, 'etc/systemd/system');
  mkdirSync(etc, { recursive: true });
  const provided: Record<string, string> = {};
  const install = (file: string, text: string) => {
    writeFileSync(file, text);
    for (const [program] of commandsOf(text)) provided[program!] = provide(root, program!);
  };
  for (const name of UNITS) install(join(etc, name), edit(name, unitText(name)));
  for (const [unit, files] of Object.entries(dropIns)) {
    mkdirSync(join(etc, `${unit}.d`), { recursive: true });
    for (const [as, from] of Object.entries(files)) install(join(etc, `${unit}.d`, as), readFileSync(join(UNITS_DIR, from), 'utf8'));
  }
  return { root, provided };
}

function analyze(root: string, args: string[]) {
  const r = spawnSync('systemd-analyze', [...args, '--man=no', `--root=${root}`], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('the systemd units', () => {
  it('pass systemd-analyze verify with nothing to say, each program they run provided', () => {
    const { root, provided } = hallRoot();
    const r = analyze(root, ['verify', ...UNITS]);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
    expect(provided).toEqual({ '/usr/bin/node': 'from this machine', '/bin/kill': 'from this machine', '/usr/bin/cage': 'stand-in' });
  });

  it('the kiosk with the Chromium drop-in passes too, and runs the shell script shipped in the build', () => {
    const { root, provided } = hallRoot({ 'hcp-kiosk.service': { 'chromium.conf': 'kiosk-chromium.conf' } });
    const r = analyze(root, ['verify', 'hcp-kiosk.service']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
    expect(provided['/opt/hcp/electron-app/chromium-shell/hcp-kiosk-chromium.sh']).toBe('from the build');
  });

  it('the device with the remote-update drop-in passes too, and runs the update launcher shipped in the build', () => {
    const { root, provided } = hallRoot({ 'hcp-device.service': { 'remote-update.conf': 'device-remote-update.conf' } });
    const r = analyze(root, ['verify', 'hcp-device.service']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
    expect(provided['/usr/bin/node']).toBe('from this machine');
    // The launcher it runs is one of the build's entry points, so `npm run build` makes it.
    const launcher = commandsOf(readFileSync(join(UNITS_DIR, 'device-remote-update.conf'), 'utf8')).flatMap((argv) => argv.filter((a) => a.startsWith(`${INSTALL_DIR}/`)));
    expect(launcher).toEqual([`${INSTALL_DIR}/device/update/launcher-main.js`]);
    expect(ENTRY_POINTS).toContain('device/update/launcher-main.ts');
  });

  it('a misspelt option or a bad device right is reported (the check can fail)', () => {
    const { root } = hallRoot({}, (name, text) =>
      name === 'hcp-device.service' ? text.replace('ProtectSystem=', 'ProtectSytem=').replace('char-ttyUSB rw', 'char-ttyUSB rwz') : text,
    );
    const r = analyze(root, ['verify', 'hcp-device.service']);
    expect(r.output).toMatch(/Unknown key 'ProtectSytem'/);
    expect(r.output).toMatch(/Invalid device rights 'rwz'/);
  });

  it('run the build output with node: files the build makes, from its entry points', () => {
    const built = new Set([...ENTRY_POINTS.map((e) => e.replace(/\.ts$/, '.js')), `${relative(REPO_ROOT, MAIN_DIST)}/main.cjs`]);
    const scripts = UNITS.flatMap((u) => commandsOf(unitText(u))).flatMap((argv) => argv.filter((a) => a.startsWith(`${INSTALL_DIR}/`)));
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const script of scripts) expect(built, script).toContain(relative(INSTALL_DIR, script));
    for (const argv of UNITS.flatMap((u) => commandsOf(unitText(u)))) expect(argv.join(' ')).not.toMatch(/tsx|\.ts\b/);
  });

  it('give their programs the environment systemd reads from them: a quoted assignment keeps its spaces', () => {
    // What the benches and tests run the gateway with is what systemd gives it (systemd.exec(5), "Environment=").
    expect(environmentWords(`"A=x y"  B=z 'C=it''s' D=a\\ b`)).toEqual(['A=x y', 'B=z', 'C=its', 'D=a b']);
    expect(() => environmentWords('"A=x y')).toThrow('a quote (") is not closed');
    expect(() => environmentWords('A=x\\n')).toThrow('the escape \\n is not one this reader knows');
    expect(serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'))).toMatchObject({
      NODE_ENV: 'production',
      MALLOC_MMAP_THRESHOLD_: '131072',
      LD_PRELOAD: 'libjemalloc.so.2',
      NODE_OPTIONS: '--expose-gc --max-semi-space-size=8',
    });
  });

  it('the settings docs/OPERATIONS.md compares with unit-env-ab.ts differ from the unit in the young heap or the malloc only', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs/OPERATIONS.md'), 'utf8');
    // A command may set ROUNDS first.
    const commands = [...docs.matchAll(/`(?:ROUNDS=\d+ )?npx tsx scripts\/bench\/unit-env-ab\.ts ([^`]+)`/g)].map((m) => m[1]!);
    const jemalloc = [
      'MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0',
      'MALLOC_CONF=dirty_decay_ms:1000,muzzy_decay_ms:0',
      'MALLOC_CONF=background_thread:true,dirty_decay_ms:3000',
    ];
    expect(commands).toEqual([
      'unit -LD_PRELOAD',
      ...jemalloc,
      'unit NODE_OPTIONS=--expose-gc',
      '"NODE_OPTIONS=--expose-gc --max-semi-space-size=2"',
      '"NODE_OPTIONS=--expose-gc --max-semi-space-size=4"',
    ]);
    const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
    // jemalloc's tries add its MALLOC_CONF to the unit and change nothing else.
    for (const c of jemalloc) expect(applySetting(unit, c)).toEqual({ ...unit, MALLOC_CONF: c.slice('MALLOC_CONF='.length) });
    const [without, small] = [applySetting(unit, 'NODE_OPTIONS=--expose-gc'), applySetting(unit, 'NODE_OPTIONS=--expose-gc --max-semi-space-size=2')];
    expect(without).toEqual({ ...unit, NODE_OPTIONS: '--expose-gc' });
    expect(small).toEqual({ ...unit, NODE_OPTIONS: '--expose-gc --max-semi-space-size=2' });
    expect(applySetting(unit, 'NODE_OPTIONS=--expose-gc --max-semi-space-size=4')).toEqual({ ...unit, NODE_OPTIONS: '--expose-gc --max-semi-space-size=4' });
    expect(applySetting(unit, 'unit')).toEqual(unit);
    const { LD_PRELOAD: _, ...glibc } = unit;
    expect(applySetting(unit, '-LD_PRELOAD')).toEqual(glibc);
    expect(applySetting(unit, '-MALLOC_MMAP_THRESHOLD_,-LD_PRELOAD,NODE_OPTIONS+=--x')).toEqual({ NODE_ENV: 'production', NODE_OPTIONS: `${unit.NODE_OPTIONS} --x` });
    // jemalloc's MALLOC_CONF is itself comma-separated: its options stay in the one value.
    expect(applySetting(unit, 'MALLOC_CONF=background_thread:true,dirty_decay_ms:1000,-LD_PRELOAD')).toEqual({
      ...glibc,
      MALLOC_CONF: 'background_thread:true,dirty_decay_ms:1000',
    });
    expect(() => applySetting(unit, 'NODE_OPTIONS')).toThrow('"NODE_OPTIONS" in setting "NODE_OPTIONS" is none of');
  });

  it('are hardened: exposure measured by systemd-analyze security', () => {
    const { root } = hallRoot();
    const exposure = Object.fromEntries(
      UNITS.map((u) => {
        const r = analyze(root, ['security', '--offline=yes', u]);
        const m = /Overall exposure level for \S+: ([\d.]+)/.exec(r.output);
        if (!m) throw new Error(`no exposure level for ${u}: ${r.output}`);
        return [u, Number(m[1])];
      }),
    );
    process.stdout.write(`systemd-analyze security exposure (0 best, 10 worst): ${JSON.stringify(exposure)}\n`);
    expect(exposure['hcp-gateway.service']).toBeLessThanOrEqual(2);
    expect(exposure['hcp-device.service']).toBeLessThanOrEqual(2);
    // The kiosk needs the display, input devices and Chromium's own sandbox (see its unit).
    expect(exposure['hcp-kiosk.service']).toBeLessThanOrEqual(5);
  });

  it('the device unit opens the serial ports to dialout only; the kiosk is restarted whatever its exit (70 after crashes)', () => {
    const device = unitText('hcp-device.service');
    expect(settings(device, 'SupplementaryGroups')).toEqual(['dialout']);
    expect(settings(device, 'DevicePolicy')).toEqual(['closed']);
    expect(settings(device, 'DeviceAllow')).toEqual(['char-ttyACM rw', 'char-ttyUSB rw']);
    const kiosk = unitText('hcp-kiosk.service');
    expect(settings(kiosk, 'Restart')).toEqual(['always']);
    expect(settings(kiosk, 'StartLimitIntervalSec')).toEqual(['0']);
    expect(settings(kiosk, 'User')).toEqual(settings(device, 'User')); // it reads the runtime's 0600 token
  });
});

describe('the udev rule for the panel', () => {
  const rules = readFileSync(join(REPO_ROOT, 'deploy/udev/99-hcp-panel.rules'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));

  it('names the boards the device looks for (device/hardware/hardware-config.ts), as /dev/hcp-panel in group dialout', () => {
    const ids = rules.map((l) => {
      const vendor = /ATTRS\{idVendor\}=="([0-9a-f]{4})"/.exec(l)?.[1];
      const product = /ATTRS\{idProduct\}=="([0-9a-f]{4})"/.exec(l)?.[1];
      return { vendorId: vendor, productId: product };
    });
    expect(ids).toEqual(DEFAULT_PANEL_USB);
    for (const l of rules) {
      expect(l).toMatch(/^SUBSYSTEM=="tty", /);
      expect(l).toContain('SYMLINK+="hcp-panel"');
      expect(l).toContain('GROUP="dialout"');
      expect(l).toContain('MODE="0660"');
      expect(l).toContain('ENV{ID_MM_DEVICE_IGNORE}="1"');
      // Every key is one udev knows, with a match (==) or an assignment (=, +=).
      for (const pair of l.split(', ')) expect(pair).toMatch(/^(SUBSYSTEM==|ATTRS\{id(Vendor|Product)\}==|SYMLINK\+=|GROUP=|MODE=|ENV\{ID_MM_DEVICE_IGNORE\}=)"[^"]*"$/);
    }
  });
});
