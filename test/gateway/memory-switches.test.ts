/**
 * What docs/OPERATIONS.md "Memory" says the gateway does to stay small, shown: each API route's
 * response serializer is compiled on the route's first answer (still fastify's own, still dropping
 * undeclared fields), the MQTT writer's table of 65,536 packet-id Buffers is never built, the
 * gateway run with the systemd unit's environment runs on jemalloc (a machine set up by
 * scripts/setup.sh has Debian's libjemalloc2) and collects its heap once ingest and device logins
 * have been quiet, that environment keeps V8's young heap at 16 MiB instead of 32, and SQLite's
 * page cache holds at most 2 MiB per connection instead of better-sqlite3's 16.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import mqtt from 'mqtt';
import { writeToStream } from 'mqtt-packet';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { buildLazySerializer } from '../../gateway/http/lazy-serializers.js';
import { openSqliteStore } from '../../gateway/store/database.js';
import { QUIET_MS } from '../../gateway/memory/collect-when-quiet.js';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../../scripts/lib/gateway-process.js';
import { serviceEnvironment } from '../../scripts/lib/systemd-unit.js';
import { ScriptedDevice } from '../support/scripted-device.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

const numbers = createRequire(import.meta.url)('mqtt-packet/numbers') as { cache: Record<number, Buffer> };
let gw: Gateway | null = null;
afterAll(async () => gw?.stop());

describe('memory switches', () => {
  it('compiles a response serializer on the route’s first answer, and it still drops undeclared fields', async () => {
    const app = Fastify({ schemaController: { compilersFactory: { buildSerializer: buildLazySerializer } } });
    // A schema fast-json-stringify cannot compile: compiled at start, ready() would fail.
    app.get('/broken', { schema: { response: { 200: { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } } } } }, async () => ({ a: 'x' }));
    app.get('/ok', { schema: { response: { 200: { type: 'object', properties: { a: { type: 'string' } } } } } }, async () => ({ a: 'x', secret: 'never shown' }));
    await app.ready();
    expect((await app.inject('/broken')).statusCode).toBe(500);
    expect((await app.inject('/ok')).json()).toEqual({ a: 'x' });
    await app.close();
  });

  it('never builds mqtt-packet’s packet-id table, though the broker writes packets', async () => {
    gw = await startInProcessGateway({});
    expect(writeToStream.cacheNumbers).toBe(false);
    const c = mqtt.connect(`mqtt://127.0.0.1:${gw.mqttPort}`, { clientId: 'dev-none', username: 'dev-none', password: 'x', reconnectPeriod: 0 });
    await new Promise<void>((r) => {
      c.once('error', () => r());
      c.once('close', () => r());
    });
    c.end(true);
    expect(Object.keys(numbers.cache)).toHaveLength(0);
  });

  it('holds at most 2 MiB of SQLite pages per connection, where better-sqlite3 would hold 16', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hcp-page-cache-')), 'gateway.db');
    // better-sqlite3 builds SQLite with a 16,000 KiB page cache (its deps/defines.gypi): what a loaded
    // run leaves resident after it is quiet (docs/OPERATIONS.md, "Memory").
    const stores = [openSqliteStore({ file })];
    expect(stores[0]!.sqlite!.pragma('cache_size', { simple: true })).toBe(-2000);
    stores.push(openSqliteStore({ file, readonly: true }));
    expect(stores[1]!.sqlite!.pragma('cache_size', { simple: true })).toBe(-2000);
    for (const s of stores) await s.close();
  });

  it('keeps the young heap at 16 MiB run with the unit’s NODE_OPTIONS (node alone grows it to 32)', () => {
    const { NODE_OPTIONS } = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
    // Objects that live a little while, as a burst of logins or batches makes them: each survives a
    // scavenge or two, which is what makes V8 grow its young heap to the largest it may.
    const program = `const ring = new Array(200000);
      for (let i = 0; i < 2000000; i++) ring[i % ring.length] = { i, s: 'r' + i };
      const space = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(space.space_size / 1048576));`;
    const youngMiB = (nodeOptions: string) => {
      const r = spawnSync(process.execPath, ['-e', program], { env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions }, encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('');
      return Number(r.stdout);
    };
    expect(youngMiB(NODE_OPTIONS!)).toBe(16);
    expect(youngMiB('')).toBe(32);
  });

  it('preloads a jemalloc that docs/INSTALL.md installs on the gateway machine, and runs on without it', () => {
    const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
    // The Debian package that holds the unit's library is on the gateway machine's apt line.
    const owner = spawnSync('dpkg', ['-S', unit.LD_PRELOAD!], { encoding: 'utf8' }).stdout.split(':')[0]!;
    expect(owner).toBe('libjemalloc2');
    const install = readFileSync(join(REPO_ROOT, 'docs/INSTALL.md'), 'utf8');
    const gatewayMachine = install.slice(install.indexOf('## 3. 网关机'));
    expect((/sudo apt install ([^#\n]*)/.exec(gatewayMachine)?.[1] ?? '').trim().split(/\s+/)).toContain(owner);
    // OPERATIONS.md: without the package ld.so says it ignored the preload, and the program runs (on glibc's malloc).
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write("ran")'], {
      env: { ...unit, PATH: process.env.PATH, LD_PRELOAD: 'libhcp-not-installed.so.2' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stdout).toBe('ran');
    expect(r.stderr).toMatch(/libhcp-not-installed\.so\.2.*cannot be preloaded.*ignored/);
  });

  it('runs on jemalloc and collects its heap once, when ingest and logins have been quiet for 15 s, run as hcp-gateway.service runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-quiet-gc-'));
    const logFile = join(dir, 'gateway.log');
    const configFile = writeGatewayConfig(join(dir, 'gw'), { logLevel: 'debug' });
    const env = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
    expect(env.NODE_OPTIONS).toContain('--expose-gc');
    const running = await startGateway(configFile, join(dir, 'gw', 'data'), { unitEnv: env, logFile });
    try {
      // The unit's LD_PRELOAD took: the gateway's malloc is jemalloc's (ld.so would have warned and ignored a missing one).
      expect(readFileSync(`/proc/${running.child.pid}/maps`, 'utf8')).toMatch(/\/libjemalloc\.so\.2$/m);
      await running.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
      const dev = new ScriptedDevice('dev-quiet', 'w-01', running.http);
      expect((await dev.enrol((await running.api('POST', '/api/devices', { deviceId: 'dev-quiet', windowId: 'w-01' })).body.code)).status).toBe(200);
      await dev.connect(running.mqttUrl);
      const collected = () =>
        readFileSync(logFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('quiet after a burst: heap collected'));
      for (let i = 0; i < 3; i++) {
        expect((await dev.send([dev.rating(5), dev.rating(4)])).rejected).toEqual([]);
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(collected()).toEqual([]);
      const waitFor = async (n: number) => {
        const deadline = Date.now() + QUIET_MS + 15_000;
        while (collected().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        return collected().map((l) => JSON.parse(l) as { heapBeforeMiB: number; heapAfterMiB: number; ns: string });
      };
      const lines = await waitFor(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ ns: 'memory', heapBeforeMiB: expect.any(Number), heapAfterMiB: expect.any(Number) });
      // Nothing more while nothing happens; a login alone (the device connecting again) is a new spell.
      await dev.close();
      await new Promise((r) => setTimeout(r, 3000));
      expect(collected()).toHaveLength(1);
      await dev.connect(running.mqttUrl);
      expect(await waitFor(2)).toHaveLength(2);
      await dev.close();
    } finally {
      await running.stop();
    }
  }, 90_000);
});
