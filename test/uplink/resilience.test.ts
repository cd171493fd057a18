/**
 * The uplink under long outages and crashes: the real simulator over loopback, real SQLite files,
 * ratings made by devices and put in the ledger by the real Assessor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingRecord } from '@hcp/contract';
import type { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { addWindow, FakeDevice, storeRecords, TestClock, until } from './support/fixtures.js';
import { referenceAdapter, SIM_KEY, UplinkRig } from './support/rig.js';

const DAY = 86_400_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function env(clock?: TestClock) {
  const rig = await UplinkRig.open(clock);
  const sim = await rig.startSimulator();
  cleanups.push(() => rig.close());
  return { rig, sim };
}

/** Ratings from `devices` devices (window w-NN, number NN), interleaved, one every `stepMs` from t0. */
async function ratings(rig: UplinkRig, devices: number, n: number, t0: number, stepMs: number): Promise<RatingRecord[]> {
  const pad = (k: number) => String(k).padStart(2, '0');
  for (let k = 0; k < devices; k++) await addWindow(rig.store, `w-${pad(k)}`, pad(k));
  const devs = Array.from({ length: devices }, (_, k) => new FakeDevice(`dev-r${pad(k)}`, `w-${pad(k)}`));
  return Array.from({ length: n }, (_, i) => devs[i % devices]!.rating(new Date(t0 + i * stepMs), ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5, { caseNo: `R-${i}` }));
}

/** Each window's ratings reached the province once each, in the order they were pressed. */
function expectInOrderPerWindow(sim: ProvinceSim, expected: RatingRecord[]): void {
  const arrived = new Map<string, string[]>();
  for (let page = sim.stored(0, 5000); page.length > 0; page = sim.stored(page[page.length - 1]!.n, 5000)) {
    for (const s of page) arrived.set(s.record.windowNo, [...(arrived.get(s.record.windowNo) ?? []), s.assessId]);
  }
  const want = new Map<string, string[]>();
  for (const r of expected) want.set(r.windowId.slice(2), [...(want.get(r.windowId.slice(2)) ?? []), r.id]);
  expect(arrived).toEqual(want);
}

describe('uplink resilience', () => {
  it('province down for 3 simulated days while 10,000 ratings arrive, then up: all once, in order per device', async () => {
    const t0 = Date.now() - 4 * DAY;
    const clock = new TestClock(t0);
    const { rig, sim } = await env(clock);
    const recs = await ratings(rig, 20, 10_000, t0, 25_000); // 10,000 over ~2.9 days
    sim.setFault({ mode: 'down' });
    const feature = rig.uplink(referenceAdapter(sim), {
      outbox: { batchSize: 200, concurrency: 4, pumpEveryMs: 20 },
      sending: {
        baseBackoffMs: 1000,
        maxBackoffMs: 10 * 60_000,
        idleMs: 1000,
        // Simulated time: a wait advances the gateway clock instead of passing.
        sleep: (ms) =>
          new Promise((r) => {
            clock.advance(ms);
            setTimeout(r, 1);
          }),
      },
    });
    await feature.start();
    // Ratings arrive as the simulated days pass.
    for (let i = 0; i < recs.length; i += 500) {
      const chunk = recs.slice(i, i + 500);
      const last = Date.parse(chunk[chunk.length - 1]!.at);
      await until(() => clock.now() >= last, 120_000, 'simulated time');
      await storeRecords(rig.store, chunk, { storedAt: new Date(clock.now()) });
      await rig.assess();
    }
    await until(() => clock.now() >= t0 + 3 * DAY, 120_000, 'three simulated days');
    expect(sim.count()).toBe(0);
    const failedRequests = sim.stats.requests;
    expect(failedRequests).toBeGreaterThan(20);
    // Backoff is capped and jittered, not a hammering loop: ≤ 4 workers × (3 days / 5 min) × 2.
    expect(failedRequests).toBeLessThan(4 * ((3 * DAY) / (5 * 60_000)) * 2);
    expect((await rig.alerts.list()).map((a) => a.kind)).toContain('uplink-province-unreachable');
    sim.setFault({ mode: 'none' });
    await until(async () => sim.count() === 10_000 && (await feature.sender.pendingCount()) === 0, 120_000, 'the backlog delivered');
    expect(sim.stats.accepted).toBe(10_000);
    expect(sim.stats.rejected).toBe(0);
    expectInOrderPerWindow(sim, recs);
    await until(async () => (await rig.alerts.countLive()) === 0, 5000, 'the unreachable alert cleared');
  }, 240_000);

  it('the uplink in a child process, kill -9ed during enqueue and during the drain, restarted: exactly once', async () => {
    const { rig, sim } = await env();
    const recs = await ratings(rig, 8, 4000, Date.now() - DAY, 1000);
    await storeRecords(rig.store, recs);
    await rig.assess();
    sim.setFault({ mode: 'slow', delayMs: 15 });
    const spawnChild = (): ChildProcess => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'support/uplink-child.ts'), rig.file, `${sim.url}/province/ratings`, SIM_KEY, '200', '40'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      cleanups.push(() => void child.kill('SIGKILL'));
      return child;
    };
    const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
    const count = async (state?: string) => {
      let q = rig.store.db.selectFrom('uplink_outbox').select((eb) => eb.fn.countAll<number>().as('n'));
      if (state) q = q.where('state', '=', state);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };

    let child = spawnChild();
    await until(async () => (await count()) > 0, 30_000, 'enqueueing to start');
    child.kill('SIGKILL');
    await exited(child);
    const enqueuedAtKill = await count();
    child = spawnChild();
    await until(() => sim.count() > 1000, 60_000, 'the drain to be under way');
    child.kill('SIGKILL');
    await exited(child);
    const deliveredAtKill = sim.count();
    expect(deliveredAtKill).toBeLessThan(4000);
    sim.setFault({ mode: 'none' });
    child = spawnChild();
    await until(async () => sim.count() === 4000 && (await count('sent')) === 4000, 60_000, 'everything delivered');
    expect(enqueuedAtKill).toBeLessThan(4000); // the first kill landed mid-enqueue
    expect(await count()).toBe(4000);
    expect(sim.stats.accepted).toBe(4000);
    expect(sim.stats.rejected).toBe(0);
    expectInOrderPerWindow(sim, recs);
  }, 180_000);
});
