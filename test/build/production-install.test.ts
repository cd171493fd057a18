/**
 * Issue 15, "Build", must show: on a fresh clone, `npm run build`; an install folder holding only
 * the build output and `npm ci --omit=dev`; then the gateway, a device and the provincial
 * simulator started from it with plain `node`, as the systemd units run them. Hall IT's commands
 * (make-tls, create-admin, create-business-key, device:verify) run there too, and a rating pressed
 * on the device reaches the console and the province.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STAFF } from '../../scripts/lib/device-process.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { caFileFrom, httpsJson } from '../tls/tls-support.js';
import { freshCheckout, linkBuildTools, run, serviceEnv, startProgram, type Program } from './install-support.js';

const work = mkdtempSync(join(tmpdir(), 'hcp-install-'));
const checkout = join(work, 'clone');
const installDir = join(work, 'opt-hcp'); // /opt/hcp on a hall machine
const etc = join(work, 'etc-hcp'); // /etc/hcp
const programs: Program[] = [];
const timings: Record<string, number> = {};
const PROVINCE_KEY = 'install-test-province-key';

beforeAll(() => {
  freshCheckout(checkout);
  expect(existsSync(join(checkout, 'dist'))).toBe(false);
  expect(existsSync(join(checkout, 'gateway/console/dist'))).toBe(false);
  linkBuildTools(checkout);
  const built = run('npm', ['run', '-s', 'build'], checkout, process.env);
  timings.build = built.ms;
  if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}\n${built.stderr}`);

  // The install folder: the build output alone, nothing else of the checkout.
  run('cp', ['-r', join(checkout, 'dist'), installDir], work);
  // better-sqlite3 compiles from source when its prebuilt binary cannot be fetched (as here): 1.5 min idle, more on a busy machine.
  const installed = run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], installDir, serviceEnv(), 600_000);
  timings.npmCi = installed.ms;
  if (installed.status !== 0) throw new Error(`npm ci --omit=dev failed:\n${installed.stderr}`);
}, 720_000);

afterAll(async () => {
  for (const p of programs.reverse()) await p.stop();
  process.stdout.write(`production install: build ${timings.build} ms, npm ci --omit=dev ${timings.npmCi} ms\n`);
  rmSync(work, { recursive: true, force: true });
});

describe('a production install from the build output', () => {
  it('has every production package and no devDependency, and no TypeScript to run', () => {
    // npm ls lists a package the tree needs and lacks as a problem ("missing: …"); optional
    // packages for other platforms (sharp's) are not problems.
    const ls = run('npm', ['ls', '--omit=dev', '--all', '--json'], installDir, serviceEnv());
    const problems = (JSON.parse(ls.stdout) as { problems?: string[] }).problems ?? [];
    // johnny-five asks for two packages by the dist-tag "latest", which npm ls cannot check against
    // the installed version and calls invalid; any other problem is a fault.
    expect(problems.map((p) => p.replace(/@[^@\s]+ \S+$/, ''))).toEqual(['invalid: browser-serialport', 'invalid: temporal']);
    for (const dev of ['tsx', 'typescript', 'vitest', 'vite', 'esbuild', 'electron', 'playwright-core']) expect(existsSync(join(installDir, 'node_modules', dev)), dev).toBe(false);
    const listed = run('find', ['.', '-path', './node_modules', '-prune', '-o', '-name', '*.ts', '-print'], installDir).stdout.trim();
    expect(listed).toBe('');
    // What hall IT installs from: the units, the udev rule and the guide come with the build.
    for (const f of [
      'deploy/systemd/hcp-gateway.service',
      'deploy/systemd/hcp-device.service',
      'deploy/systemd/hcp-kiosk.service',
      'deploy/udev/99-hcp-panel.rules',
      'docs/INSTALL.md',
    ])
      expect(existsSync(join(installDir, f)), f).toBe(true);
  });

  it("checks a device's large batch on the built worker thread, with node alone", () => {
    // batch-check-pool.ts starts batch-check-worker.js by path: the build must ship it next to the pool.
    const script = [
      "import { BatchCheckPool } from './gateway/ingest/batch-check-pool.js';",
      'const pool = new BatchCheckPool({ error: (o, m) => console.error(m, JSON.stringify(o)) }, 1);',
      "const r = await pool.check('dev-1', Buffer.from(JSON.stringify({ x: 'y'.repeat(40000) })), Date.now());",
      'console.log(JSON.stringify(r));',
      'await pool.close();',
    ].join('\n');
    const checked = run('node', ['--input-type=module', '-e', script], installDir, serviceEnv());
    expect(checked.stderr).toBe('');
    expect(JSON.parse(checked.stdout)).toEqual({ ok: false, refused: expect.stringMatching(/^payload does not match the batch schema: /) });
  });

  it("checkpoints the store's WAL on the built worker thread, with node alone", () => {
    // wal-checkpointer.ts starts wal-checkpoint-worker.js by path: the build must ship it next to it.
    const script = [
      "import Database from 'better-sqlite3';",
      "import { WalCheckpointer } from './gateway/store/wal-checkpointer.js';",
      `const file = ${JSON.stringify(join(work, 'ckpt.db'))};`,
      "const db = new Database(file); db.pragma('journal_mode = WAL'); db.exec('CREATE TABLE t (x TEXT)');",
      'const ckpt = new WalCheckpointer({ file, connection: db, onFailed: (e) => console.error(e.message), everyMs: 5 });',
      "db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(50000)); ckpt.committed();",
      'while (ckpt.stats.runs === 0 && !ckpt.stats.failed) await new Promise((r) => setTimeout(r, 20));',
      'console.log(JSON.stringify(ckpt.stats.last));',
      'await ckpt.close(); db.close();',
    ].join('\n');
    const ran = run('node', ['--input-type=module', '-e', script], installDir, serviceEnv());
    expect(ran.stderr).toBe('');
    const last = JSON.parse(ran.stdout) as { log: number; checkpointed: number };
    expect(last.log).toBeGreaterThan(0);
    expect(last.checkpointed).toBe(last.log);
  });

  it('runs the gateway, a device and the provincial simulator with node; a rating reaches the console and the province', async () => {
    const env = serviceEnv();
    const sim = await startProgram(installDir, 'scripts/province-sim.js', ['--port', '0', '--key', PROVINCE_KEY, '--db', join(work, 'province.db')], 'listening', env);
    programs.push(sim);
    const simUrl = sim.ready.listening as string;

    // Hall IT on the gateway machine: the config, the certificates, the first account, a business key.
    const configFile = join(etc, 'gateway.json');
    run('mkdir', ['-p', etc], work);
    const province = { url: `${simUrl}/province/ratings`, appId: 'hcp-install', key: PROVINCE_KEY, areaCode: '131000', deptCode: 'LF-ZWFW', timeoutMs: 1500 };
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir: join(work, 'var-lib-hcp-gateway'), http: { port: 0 }, mqtt: { port: 0 }, logLevel: 'warn', hall: { hallName: '廊坊市政务服务中心' }, province }),
    );
    const tls = run('npm', ['run', '-s', 'gateway', '--', 'make-tls', '--config', configFile], installDir, env);
    expect(tls.stderr).toBe('');
    const caFile = caFileFrom(tls.stdout);
    const ca = readFileSync(caFile);
    const admin = run('node', ['gateway/main.js', 'create-admin', '--config', configFile, '--user', 'hall-it'], installDir, {
      ...env,
      HCP_ADMIN_PASSWORD: 'install-test-password',
    });
    expect(admin.stdout).toBe('account hall-it (hall-it) ready\n');
    const businessKey = run('node', ['gateway/main.js', 'create-business-key', '--config', configFile, '--user', 'queue-system'], installDir, env);
    expect(businessKey.stdout).toMatch(/^queue-system\.\S{20,}\n$/);

    const gw = await startProgram(installDir, 'gateway/main.js', ['serve', '--config', configFile], 'event', env);
    programs.push(gw);
    const http = gw.ready.http as string;
    expect(http).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // The console is served from the build output.
    const consolePage = await httpsJson(`${http}/`, ca);
    expect(consolePage.status).toBe(200);
    expect(String(consolePage.body)).toMatch(/<div id="app">/);
    const token = (await httpsJson(`${http}/api/login`, ca, { method: 'POST', body: { username: 'hall-it', password: 'install-test-password' } })).body.token as string;
    const api = (method: string, path: string, body?: unknown) => httpsJson(`${http}${path}`, ca, { method, token, body });
    expect((await api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' })).status).toBeLessThan(300);
    expect((await api('PUT', '/api/staff', { ...DEMO_STAFF, windowId: 'w-01' })).status).toBeLessThan(300);
    const { code } = (await api('POST', '/api/devices', { deviceId: 'dev-install-01', windowId: 'w-01' })).body as { code: string };

    // The window's device: its config names the gateway, the enrolment code and the hall CA.
    const deviceData = join(work, 'var-lib-hcp');
    const deviceConfig = join(etc, 'device.json');
    writeFileSync(
      deviceConfig,
      JSON.stringify({
        deviceId: 'dev-install-01',
        dataDir: deviceData,
        localApi: { port: 0 },
        logLevel: 'warn',
        bootstrap: { hallName: '廊坊市政务服务中心', window: { id: 'w-01', number: '01', department: '市场监管局' }, roster: [DEMO_STAFF] },
        gateway: { url: http, mqttUrl: `mqtts://127.0.0.1:${gw.ready.mqttPort}`, enrolmentCode: code, caFile, retry: { initialMs: 200, maxMs: 1000 } },
      }),
    );
    const device = await startProgram(installDir, 'device/main.js', ['--config', deviceConfig], 'event', env);
    programs.push(device);
    const local = device.ready.localApi as string;
    const deviceApi = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${local}${path}`, {
        method,
        headers: { authorization: `Bearer ${device.ready.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    // The kiosk page is served from the build output.
    const kioskPage = await fetch(`${local}/`);
    expect(kioskPage.status).toBe(200);
    expect(await kioskPage.text()).toMatch(/<script[^>]+app\.js/);

    await waitFor(async () => (await deviceApi('GET', '/api/state')).body.window?.id === 'w-01', { what: 'the window config from the gateway', stallMs: 30_000 });
    await deviceApi('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    await deviceApi('POST', '/api/invite');
    expect((await deviceApi('POST', '/api/rate', { level: 5 })).status).toBe(200);

    const inConsole = await waitFor(
      async () => {
        const rows = (await api('GET', '/api/ratings')).body as Array<{ deviceId: string; level: number }>;
        return rows.some((r) => r.deviceId === 'dev-install-01') ? rows : undefined;
      },
      { what: 'the rating in the console' },
    );
    expect(inConsole.filter((r) => r.deviceId === 'dev-install-01').map((r) => r.level)).toEqual([5]);
    const atProvince = await waitFor(
      async () => {
        const r = (await (await fetch(`${simUrl}/admin/ratings`)).json()) as { total: number; ratings: unknown[] };
        return r.total > 0 ? r : undefined;
      },
      { what: 'the rating at the province', stallMs: 30_000 },
    );
    expect(atProvince.total).toBe(1);

    // Hall IT's tamper check of the device store, from the build output too.
    await device.stop();
    programs.splice(programs.indexOf(device), 1);
    const verify = run('npm', ['run', '-s', 'device:verify', '--', '--data-dir', deviceData], installDir, env);
    expect(verify.stdout).toMatch(/OK: the chain is intact/);
    expect(verify.status).toBe(0);
  }, 120_000);
});
