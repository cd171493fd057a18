/**
 * The gateway sync's start()/stop() (issue 10; docs/STYLE.md §1): idempotent, and stop() aborts whatever
 * is pending — an enrolment, a nonce fetch, a connection attempt, a back-off — and leaves no client,
 * listener or timer behind; start() after stop() works again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceFileConfigSchema } from '../../device/config/device-config.js';
import { DeviceProgram } from '../../device/device-program.js';
import type { Feature } from '../../device/runtime/ports.js';
import { createGatewaySync } from '../../device/sync/index.js';
import { REPO_ROOT, deviceConfig } from '../support/device-process.js';
import { EnrolStub } from './support/enrol-stub.js';
import { TestBroker } from './support/test-broker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function program(gateway: Record<string, unknown>): Promise<{ program: DeviceProgram; sync: () => Feature }> {
  let sync: Feature | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'hcp-lifecycle-'));
  const config = DeviceFileConfigSchema.parse(deviceConfig({ deviceId: 'dev-life', dir, config: { logLevel: 'silent', gateway } }));
  const p = new DeviceProgram(config, pino({ level: process.env.HCP_TEST_LOG ?? 'silent' }), { gateway: (deps) => (sync = createGatewaySync(deps)) });
  await p.start();
  cleanups.push(() => p.stop());
  return { program: p, sync: () => sync! };
}

describe('gateway sync lifecycle', () => {
  it('stop() during a slow enrolment aborts it: no answer is taken, no connection made afterwards', async () => {
    const stub = await EnrolStub.start({ delayMs: 1500 });
    const broker = await TestBroker.start();
    cleanups.push(
      () => stub.close(),
      () => broker.close(),
    );
    const { program: p } = await program({ url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-slow' });
    await broker.waitFor(() => stub.requests.length === 1, 5000);
    const t = performance.now();
    await p.stop();
    expect(performance.now() - t).toBeLessThan(500);
    await sleep(3000);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.aborted).toBe(true);
    expect(broker.sockets).toBe(0);
  });

  it('a second start() is a no-op; start() after stop() works', async () => {
    const stub = await EnrolStub.start();
    const broker = await TestBroker.start();
    cleanups.push(
      () => stub.close(),
      () => broker.close(),
    );
    const { sync } = await program({ url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-twice' });
    await sync().start();
    await broker.waitFor(() => broker.connectedClients().includes('dev-life'));
    await sleep(300);
    expect(stub.count(/enrol/)).toBe(1);
    expect(broker.connects).toBe(1);

    await sync().stop();
    await sync().stop();
    await broker.waitFor(() => !broker.connectedClients().includes('dev-life'), 3000);
    await sleep(500);
    expect(broker.connects).toBe(1);

    await sync().start();
    await broker.waitFor(() => broker.connectedClients().includes('dev-life'));
    expect(broker.connects).toBe(2);
    expect(stub.count(/enrol/)).toBe(1); // the credentials were kept
  });

  it('stop() during a back-off wait ends it at once', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.close());
    broker.down = true;
    const stub = await EnrolStub.start();
    cleanups.push(() => stub.close());
    const { sync } = await program({ url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-b', retry: { initialMs: 5000, maxMs: 5000 } });
    await broker.waitFor(() => broker.sockets === 1, 5000);
    const t = performance.now();
    await sync().stop();
    expect(performance.now() - t).toBeLessThan(200);
    await sleep(3000);
    expect(broker.sockets).toBe(1);
  });
});

describe('after stop() nothing keeps the process alive', () => {
  async function runChild(url: string, mqttUrl: string, runMs: number): Promise<{ exitedInMs: number; out: string }> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'test/device/fixtures/sync-stop-exits.ts'), mkdtempSync(join(tmpdir(), 'hcp-exit-')), url, mqttUrl, String(runMs)],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let stoppedAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('stopped') && !stoppedAt) stoppedAt = performance.now();
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = await new Promise<boolean>((res) => {
      const timer = setTimeout(() => res(false), 20_000);
      child.once('exit', () => {
        clearTimeout(timer);
        res(true);
      });
    });
    if (!exited) child.kill('SIGKILL');
    return { exitedInMs: exited && stoppedAt ? performance.now() - stoppedAt : Infinity, out };
  }

  it.each([
    ['enrolling against a gateway that holds the answer', 'slow'],
    ['connected', 'up'],
    ['backing off from a dead gateway', 'dead'],
  ] as const)(
    'when stopped while %s',
    async (_what, mode) => {
      const stub = await EnrolStub.start({ delayMs: mode === 'slow' ? 30_000 : 0 });
      const broker = await TestBroker.start();
      cleanups.push(
        () => stub.close(),
        () => broker.close(),
      );
      let mqttUrl = broker.url;
      if (mode === 'dead') {
        const s = createServer();
        const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
        await new Promise<void>((r) => s.close(() => r()));
        mqttUrl = `mqtt://127.0.0.1:${port}`;
      }
      const r = await runChild(stub.url, mqttUrl, mode === 'slow' ? 800 : 1500);
      expect(r.out).toContain('stopped');
      if (mode === 'up') expect(broker.connects).toBe(1);
      expect(r.exitedInMs, r.out).toBeLessThan(2000);
    },
    30_000,
  );
});
