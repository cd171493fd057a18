/**
 * Reconnect and enrolment back-off, and quiet logs (issue 10, hole 9), on real device processes.
 * An offline village point used to log an MQTT error every 1–2 s (some 60,000 lines a day), and a
 * refused enrolment stopped for good. Now: retries back off exponentially with jitter, start over
 * after a connection that stayed up, a refused enrolment is retried (slower) until hall IT fixes
 * the cause, and the same warning is logged once, then counted.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevice, type RunningDevice } from '../support/device-process.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { EnrolStub } from './support/enrol-stub.js';
import { TestBroker } from './support/test-broker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A loopback port nothing listens on: connections are refused (ECONNREFUSED), as at a dead gateway. */
async function deadPort(): Promise<number> {
  const s = createServer();
  const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A device dir with MQTT credentials already saved (enrolled), so the device goes straight to connecting. */
function enrolledDir(deviceId: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-backoff-'));
  mkdirSync(join(dir, 'data'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'data', 'gateway-credentials.json'), JSON.stringify({ username: deviceId, password: 'pw', keyProof: 'none' }), { mode: 0o600 });
  return dir;
}

async function device(o: Parameters<typeof startDevice>[0]): Promise<RunningDevice> {
  const d = await startDevice(o);
  cleanups.push(() => d.stop());
  return d;
}

/** The sync's log lines (pino JSON on stderr, warn and up in these configs). */
function syncLines(d: RunningDevice): Array<{ msg: string; repeated?: number; [k: string]: unknown }> {
  return d
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"ns":"gateway"'))
    .map((l) => JSON.parse(l));
}

describe('a device whose gateway is dead', () => {
  it('logs a bounded number of lines while it keeps trying (default back-off)', async () => {
    const port = await deadPort();
    const d = await device({ deviceId: 'dev-dead', dir: enrolledDir('dev-dead'), config: { gateway: { url: `http://127.0.0.1:${port}`, mqttUrl: `mqtt://127.0.0.1:${port}` } } });
    await sleep(12_000);
    const lines = syncLines(d);
    // Fixed 1–2 s reconnects logged 6–12 lines here; back-off and one warning for the same error: at most 2.
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines[0]!.msg).toMatch(/cannot connect to the gateway: retrying with back-off/);
    expect(String(lines[0]!.err)).toMatch(/ECONNREFUSED/);
    expect(d.child.exitCode).toBeNull();
  }, 30_000);

  it('backs off exponentially with jitter, counts repeats, and starts over after a connection that stayed up', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.close());
    broker.down = true;
    const d = await device({
      deviceId: 'dev-backoff',
      dir: enrolledDir('dev-backoff'),
      config: { gateway: { url: 'http://127.0.0.1:9', mqttUrl: broker.url, retry: { initialMs: 100, maxMs: 1600, stableMs: 500 }, repeatLogEveryMs: 2000 } },
    });
    await sleep(7000);
    const gaps = broker.socketTimes.slice(1).map((t, i) => t - broker.socketTimes[i]!);
    // 100 ms doubling to 1.6 s, each wait in the upper half of its step: about 8 attempts in 7 s, not 70.
    expect(broker.sockets).toBeGreaterThanOrEqual(5);
    expect(broker.sockets).toBeLessThanOrEqual(12);
    expect(gaps[0]!).toBeLessThan(400);
    expect(Math.max(...gaps)).toBeGreaterThan(700);
    expect(Math.max(...gaps)).toBeLessThan(2000);
    const failures = syncLines(d).filter((l) => /cannot connect/.test(l.msg));
    // Once, then a count per 2 s period: a handful of lines for 5–12 attempts.
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.length).toBeLessThanOrEqual(5);
    expect(
      failures.slice(1).every((l) => (l.repeated ?? 0) >= 1),
      JSON.stringify(failures),
    ).toBe(true);

    // The gateway is back: the device connects, stays up past stableMs, and after a drop comes back at once.
    broker.down = false;
    await broker.waitFor(() => broker.connectedClients().includes('dev-backoff'), 5000);
    await sleep(800);
    const dropAt = performance.now();
    broker.drop('dev-backoff');
    await sleep(50);
    await broker.waitFor(() => broker.connectedClients().includes('dev-backoff'), 5000);
    expect(broker.socketTimes.at(-1)! - dropAt).toBeLessThan(400);
  }, 30_000);
});

describe('enrolment', () => {
  it('is retried through transport failures and refusals, and succeeds once the gateway accepts', async () => {
    const stub = await EnrolStub.start({ refuse: 3 });
    const broker = await TestBroker.start();
    cleanups.push(
      () => stub.close(),
      () => broker.close(),
    );
    stub.down = true;
    const d = await device({
      deviceId: 'dev-reenrol',
      dir: mkdtempSync(join(tmpdir(), 'hcp-reenrol-')),
      config: { gateway: { url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-x', retry: { initialMs: 100, maxMs: 400, refusedMs: 200 } } },
    });
    // Unreachable first: retried with back-off.
    expect(await waitUntil(() => stub.sockets >= 3, 5000)).toBe(true);
    stub.down = false;
    // Then refused three times (hall IT has not registered the device yet), then accepted.
    await broker.waitFor(() => broker.connectedClients().includes('dev-reenrol'), 15_000);
    expect(stub.count(/^\/api\/enrol$/)).toBe(4);
    const lines = syncLines(d);
    const refused = lines.filter((l) => /refused enrolment/.test(l.msg));
    // Three refusals with the same reason: one warning that says why and what to do (maybe one count).
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(refused[0]).toMatchObject({ why: 'unknown or used enrolment code' });
    expect(refused[0]!.msg).toMatch(/ask hall IT/);
    // Three or more transport failures (resets, hang-ups), one warning.
    expect(lines.filter((l) => /cannot reach the gateway to enrol/.test(l.msg))).toHaveLength(1);
  }, 30_000);
});
