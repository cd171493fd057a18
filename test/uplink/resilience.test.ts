/**
 * The uplink under long outages and crashes: real simulator over loopback, real SQLite files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingRecord } from '../../device/contract/index.js';
import { HttpProvinceAdapter } from '../../gateway/uplink/http-adapter.js';
import { UplinkFeature } from '../../gateway/uplink/uplink-feature.js';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { FakeDevice, openRecordsDb, storeRecords } from './support/fixtures.js';

const KEY = 'test-shared-key-0123456789';
const DAY = 86_400_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function env() {
  const dir = mkdtempSync(join(tmpdir(), 'uplink-res-'));
  const file = join(dir, 'gateway.db');
  const db = openRecordsDb(file);
  const sim = new ProvinceSim({ key: KEY, dbFile: join(dir, 'province.db') });
  await sim.start();
  cleanups.push(() => { db.close(); }, () => sim.stop());
  return { file, db, sim };
}

/** Ratings from `devices` devices, interleaved, one every `stepMs`, starting at t0. */
function ratings(devices: number, n: number, t0: number, stepMs: number): RatingRecord[] {
  const devs = Array.from({ length: devices }, (_, k) => new FakeDevice(`dev-r${String(k).padStart(2, '0')}`, `W${String(k).padStart(2, '0')}`));
  return Array.from({ length: n }, (_, i) => devs[i % devices]!.rating(new Date(t0 + i * stepMs), ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5, { caseNo: `R-${i}` }));
}

function expectInOrderPerWindow(sim: ProvinceSim, expected: RatingRecord[]): void {
  const arrived = new Map<string, string[]>();
  for (let after = 0, page = sim.stored(0, 5000); page.length > 0; after = page[page.length - 1]!.n, page = sim.stored(after, 5000)) {
    for (const s of page) arrived.set(s.record.windowNo, [...(arrived.get(s.record.windowNo) ?? []), s.assessId]);
  }
  const want = new Map<string, string[]>();
  for (const r of expected) want.set(r.windowId, [...(want.get(r.windowId) ?? []), r.id]);
  expect(arrived).toEqual(want);
}

describe('uplink resilience', () => {
  it('province down for 3 simulated days while 10,000 ratings arrive, then up: all once, in order per device', async () => {
    const { db, sim } = await env();
    const t0 = Date.now() - 4 * DAY;
    let clock = t0;
    const recs = ratings(20, 10_000, t0, 25_000); // 10,000 over ~2.9 days
    sim.setFault({ mode: 'down' });
    const feature = new UplinkFeature({
      db, profile: { areaCode: '131000', deptCode: 'LF-01' }, logger: pino({ level: 'silent' }), now: () => clock,
      adapter: new HttpProvinceAdapter({ url: `${sim.url}/province/ratings`, appId: 'hall-1', key: KEY }),
      sender: {
        batchSize: 200, concurrency: 4, baseBackoffMs: 1000, maxBackoffMs: 10 * 60_000, idleMs: 1000,
        // Simulated time: a backoff advances the clock instead of waiting.
        sleep: (ms) => new Promise((r) => { clock += ms; setTimeout(r, 1); }),
      },
      pumpEveryMs: 20,
    });
    feature.start();
    cleanups.push(() => feature.stop());
    // Ratings arrive as the simulated days pass.
    for (let i = 0; i < recs.length; i += 500) {
      const chunk = recs.slice(i, i + 500);
      const last = Date.parse(chunk[chunk.length - 1]!.at);
      await until(() => clock >= last);
      storeRecords(db, chunk, new Date(last));
      feature.notify();
    }
    await until(() => clock >= t0 + 3 * DAY);
    expect(sim.count()).toBe(0);
    const failedRequests = sim.stats.requests;
    expect(failedRequests).toBeGreaterThan(20);
    // Backoff is capped and jittered, not a hammering loop: ≤ 4 workers × (3 days / 5 min) × 2.
    expect(failedRequests).toBeLessThan(4 * ((3 * DAY) / (5 * 60_000)) * 2);
    sim.setFault({ mode: 'none' });
    await until(() => sim.count() === 10_000 && feature.sender.pendingCount() === 0);
    expect(sim.stats.accepted).toBe(10_000);
    expectInOrderPerWindow(sim, recs);
  });

  it('the uplink in a child process, kill -9ed during enqueue and during the drain, restarted: exactly once', async () => {
    const { file, db, sim } = await env();
    const recs = ratings(8, 4000, Date.now() - DAY, 1000);
    storeRecords(db, recs, new Date(Date.now() - DAY));
    sim.setFault({ mode: 'slow', delayMs: 15 });
    const spawnChild = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/uplink-child.ts'), file, `${sim.url}/province/ratings`, KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
      cleanups.push(() => void child.kill('SIGKILL'));
      return child;
    };
    const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
    const enqueued = () => db.prepare('SELECT count(*) FROM uplink_outbox').pluck().get() as number;
    const tableExists = () => (db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'uplink_outbox'").pluck().get() as number) === 1;

    let child = await spawnChild();
    await until(() => tableExists() && enqueued() > 0);
    child.kill('SIGKILL');
    await exited(child);
    child = await spawnChild();
    await until(() => sim.count() > 1000);
    child.kill('SIGKILL');
    await exited(child);
    const atKill = sim.count();
    expect(atKill).toBeLessThan(4000);
    sim.setFault({ mode: 'none' });
    child = await spawnChild();
    await until(() => sim.count() === 4000 && (db.prepare("SELECT count(*) FROM uplink_outbox WHERE state = 'sent'").pluck().get() as number) === 4000);
    expect(enqueued()).toBe(4000);
    expect(sim.stats.accepted).toBe(4000);
    expectInOrderPerWindow(sim, recs);
  });
});
