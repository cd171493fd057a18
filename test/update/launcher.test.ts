/**
 * The update launcher on small fake versions (a few lines of JavaScript each, so these run in
 * seconds; device-update.test.ts switches between real builds): the store rule for rollbacks, and
 * a switch interrupted by a power cut finished when the launcher starts again.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { InstallLayout } from '../../device/update/install-layout.js';
import { UpdateLauncher } from '../../device/update/launcher.js';
import { readLauncherState, writeLauncherState } from '../../device/update/launcher-state.js';

const BETTER_SQLITE3 = JSON.stringify(join(import.meta.dirname, '..', '..', 'node_modules', 'better-sqlite3', 'lib', 'index.js'));

/**
 * A fake version: applies `migration` to the store (as a release's new migration would), then is
 * healthy (serves /api/status and prints its ready line) or crashes.
 */
function fakeVersion(root: string, version: string, o: { migration?: number; crash?: boolean }): string {
  const dir = join(root, version);
  mkdirSync(join(dir, 'device'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hcp', version }));
  writeFileSync(
    join(dir, 'device', 'main.js'),
    `import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
const config = JSON.parse(readFileSync(process.argv[process.argv.indexOf('--config') + 1], 'utf8'));
const Database = createRequire(import.meta.url)(${BETTER_SQLITE3});
const db = new Database(config.dataDir + '/device.db');
db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
${o.migration ? `db.prepare('INSERT OR IGNORE INTO schema_migrations VALUES (?, ?, ?)').run(${o.migration}, 'v${version}', new Date().toISOString());` : ''}
db.close();
${o.crash ? `throw new Error('version ${version} cannot start');` : ''}
const server = createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ softwareVersion: ${JSON.stringify(version)} })); });
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', localApi: 'http://127.0.0.1:' + server.address().port, token: 't' })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  );
  return dir;
}

const launchers: UpdateLauncher[] = [];
afterEach(async () => {
  for (const l of launchers.splice(0)) await l.stop();
});

function stand() {
  const tmp = mkdtempSync(join(tmpdir(), 'hcp-launcher-'));
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir);
  const configFile = join(tmp, 'device.json');
  writeFileSync(configFile, JSON.stringify({ dataDir }));
  const factory = fakeVersion(join(tmp, 'factory'), '1.0.0', { migration: 1 });
  const layout = new InstallLayout(join(tmp, 'app'), factory);
  const launcher = new UpdateLauncher({ configFile, dataDir, layout, healthTimeoutMs: 5000, needGateway: false, logger: pino({ level: 'silent' }) });
  launchers.push(launcher);
  return { tmp, dataDir, layout, launcher };
}

const migrations = (dataDir: string) => {
  const db = new Database(join(dataDir, 'device.db'), { readonly: true });
  const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>;
  db.close();
  return rows.map((r) => r.version);
};

describe('the update launcher', () => {
  it('rolls back a crashing release whose migrations are backward compatible, leaving the store as the new version left it', async () => {
    const { tmp, dataDir, layout, launcher } = stand();
    await launcher.start();
    await launcher.running!.ready;
    const bad = fakeVersion(join(tmp, 'versions'), '1.1.0', { migration: 2, crash: true });
    expect(await launcher.switchTo({ version: '1.1.0', dir: bad, rollbackSafe: true })).toBe(false);
    expect(launcher.state.reports.at(-1)).toEqual({ version: '1.1.0', state: 'rolled-back', reason: 'it exited (code 1) at start: Error: version 1.1.0 cannot start' });
    expect(layout.currentVersion()).toBe('1.0.0');
    await launcher.running!.ready;
    // The store is never restored: the additive migration stays, and the old version runs on it.
    expect(migrations(dataDir)).toEqual([1, 2]);
    expect(readLauncherState(layout.stateFile).trial).toBeUndefined();
  }, 30_000);

  it('does not roll back past migrations the release declares not backward compatible, and says so', async () => {
    const { tmp, layout, launcher } = stand();
    await launcher.start();
    await launcher.running!.ready;
    const bad = fakeVersion(join(tmp, 'versions'), '2.0.0', { migration: 3, crash: true });
    await launcher.switchTo({ version: '2.0.0', dir: bad, rollbackSafe: false });
    expect(launcher.state.reports.at(-1)).toMatchObject({ version: '2.0.0', state: 'rollback-blocked' });
    expect(launcher.state.reports.at(-1)!.reason).toContain('not rolled back: its store migrations are not backward compatible');
    expect(layout.currentVersion()).toBe('2.0.0');
  }, 30_000);

  it('rolls back a release that is not backward compatible when it crashed before migrating', async () => {
    const { tmp, layout, launcher } = stand();
    await launcher.start();
    await launcher.running!.ready;
    const bad = fakeVersion(join(tmp, 'versions'), '2.0.1', { crash: true });
    expect(await launcher.switchTo({ version: '2.0.1', dir: bad, rollbackSafe: false })).toBe(false);
    expect(launcher.state.reports.at(-1)).toMatchObject({ version: '2.0.1', state: 'rolled-back' });
    expect(layout.currentVersion()).toBe('1.0.0');
  }, 30_000);

  it('keeps only the running version, the one before, and the node_modules they share once a new version is healthy', async () => {
    const { tmp, launcher } = stand();
    await launcher.start();
    await launcher.running!.ready;
    const versions = join(tmp, 'app', 'versions');
    const stale = fakeVersion(versions, '0.5.0', {});
    // 1.1.0 carries node_modules; 1.2.0 and 1.3.0 run on them (their link points into 1.1.0).
    for (const v of ['1.1.0', '1.2.0', '1.3.0']) {
      const dir = fakeVersion(versions, v, {});
      if (v === '1.1.0') mkdirSync(join(dir, 'node_modules'));
      else symlinkSync(join(versions, '1.1.0', 'node_modules'), join(dir, 'node_modules'));
      expect(await launcher.switchTo({ version: v, dir, rollbackSafe: true })).toBe(true);
      if (v === '1.1.0') expect(existsSync(stale)).toBe(false);
    }
    // 1.1.0 is neither current nor previous, but 1.2.0 (previous) runs on its node_modules.
    expect(readdirSync(versions).sort()).toEqual(['1.1.0', '1.2.0', '1.3.0']);
    expect(launcher.state.reports.map((r) => `${r.version} ${r.state}`)).toEqual(['1.1.0 healthy', '1.2.0 healthy', '1.3.0 healthy']);
  }, 30_000);

  it('runs a newer version hall IT installed by hand over the factory install, not the older one it had switched to', async () => {
    const { tmp, layout, launcher } = stand();
    layout.prepare();
    const older = fakeVersion(join(tmp, 'versions'), '0.9.0', {});
    layout.point('current', older);
    await launcher.start();
    expect(layout.currentVersion()).toBe('1.0.0');
    await launcher.running!.ready;
  }, 30_000);

  it('finishes a switch a power cut interrupted: the new version is tried again, and rolled back if unhealthy', async () => {
    const { tmp, layout, launcher } = stand();
    layout.prepare();
    const factoryDir = layout.currentDir();
    const bad = fakeVersion(join(tmp, 'versions'), '1.2.0', { crash: true });
    // As the launcher leaves things just after pointing `current` at the new version.
    layout.point('previous', factoryDir);
    layout.point('current', bad);
    writeLauncherState(layout.stateFile, {
      trial: { from: '1.0.0', fromDir: factoryDir, to: '1.2.0', toDir: bad, rollbackSafe: true, schemaBefore: 0 },
      reports: [{ version: '1.2.0', state: 'installed' }],
      outcomes: {},
    });
    await launcher.start();
    expect(readlinkSync(join(layout.root, 'current'))).toBe(factoryDir);
    expect(readLauncherState(layout.stateFile)).toMatchObject({
      reports: [
        { version: '1.2.0', state: 'installed' },
        { version: '1.2.0', state: 'rolled-back' },
      ],
      outcomes: { '1.2.0': 'rolled-back' },
    });
    await launcher.running!.ready;
  }, 30_000);
});
