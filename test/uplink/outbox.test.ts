/**
 * The outbox against the real simulator over loopback HTTP and a real SQLite file: the hold and
 * merge of a 差评's details, each injected fault, duplicates, poison items and hall IT's
 * dead-letter routes.
 */
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { addWindow, FakeDevice, storeRecords, until } from './support/fixtures.js';
import { referenceAdapter, UplinkRig } from './support/rig.js';

let rig: UplinkRig;
let sim: ProvinceSim;

beforeEach(async () => {
  rig = await UplinkRig.open();
  sim = await rig.startSimulator();
  for (const [id, number] of [
    ['w-a1', '01'],
    ['w-a2', '02'],
  ] as const)
    await addWindow(rig.store, id, number);
});
afterEach(async () => {
  await rig.close();
});

const ago = (ms: number) => new Date(rig.clock.now() - ms);
const sentCount = async () => (await rig.outboxStates()).sent ?? 0;

describe('uplink outbox', () => {
  it('holds a 差评 for its details, merges them, and sends each rating once', async () => {
    const dev = new FakeDevice('dev-a01', 'w-a1');
    const r1 = dev.rating(ago(10_000), 2, { caseNo: 'C-1', itemCode: 'I-1', itemName: '事项一' });
    await storeRecords(rig.store, [r1], { storedAt: ago(9_000) });
    await rig.assess();
    const f = rig.uplink(referenceAdapter(sim));
    await f.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.count()).toBe(0); // held: its details may still come
    const d1 = dev.detail(r1, ago(5000), [209, 213], '等了很久');
    const r2 = dev.rating(ago(2000), 5);
    await storeRecords(rig.store, [d1, r2]);
    await rig.assess();
    // r2 is a good rating: no details screen follows it on the device, so it is not held.
    await until(() => sim.count() === 2, 10_000, 'both ratings');
    const byId = new Map(sim.stored().map((s) => [s.assessId, s.record]));
    expect(byId.get(r1.id)).toMatchObject({ projectNo: 'C-1', satisfaction: 2, evalDetail: '209,213', writingEvaluation: '等了很久', pf: 4, windowNo: '01' });
    expect(byId.get(r2.id)).toMatchObject({ satisfaction: 5, evalDetail: '' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.count()).toBe(2);
    expect(sim.counts().amendments).toBe(0);
  });

  it('rides out 5xx, 429, timeouts (before and after the province stored them), slowness and garbage; a duplicate answer counts as delivered', async () => {
    const dev = new FakeDevice('dev-a02', 'w-a2');
    const ratings = Array.from({ length: 120 }, (_, i) => dev.rating(ago(3600_000 - i * 1000), ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5, { caseNo: `C-${i}` }));
    await storeRecords(rig.store, ratings, { storedAt: ago(3000_000) });
    await rig.assess();
    for (const fault of [
      { mode: '5xx', count: 3 },
      { mode: '429', count: 2, retryAfterSec: 0 },
      { mode: 'timeout', count: 1 },
      { mode: 'timeout-after-commit', count: 2 },
      { mode: 'malformed', count: 2 },
      { mode: 'slow', count: 2, delayMs: 300 },
    ] as const) {
      // Every round has all 120 to send again (a resend is answered duplicate), so each fault meets
      // real traffic however fast the round before it went.
      await rig.store.db.updateTable('uplink_outbox').set({ state: 'pending' }).execute();
      sim.setFault(fault);
      const faulted = sim.stats.faulted;
      const answered = sim.stats.accepted + sim.stats.duplicates;
      const f = rig.uplink(referenceAdapter(sim, { timeoutMs: 500 }));
      await f.start();
      await until(() => sim.stats.faulted > faulted && sim.stats.accepted + sim.stats.duplicates > answered, 20_000, `progress through ${fault.mode}`);
      await f.stop();
      sim.setFault({ mode: 'none' });
    }
    expect(sim.stats.answersLost).toBeGreaterThan(0);
    // Forget what was sent (as if every answer were lost) and send everything again: all duplicates.
    await rig.store.db.updateTable('uplink_outbox').set({ state: 'pending' }).execute();
    const f = rig.uplink(referenceAdapter(sim));
    await f.start();
    await until(async () => (await sentCount()) === 120, 20_000, 'all sent');
    expect(sim.count()).toBe(120);
    expect(sim.stats.duplicates).toBeGreaterThan(0);
    expect(sim.stats.rejected).toBe(0);
    // A device's ratings arrive in the order they were pressed.
    expect(sim.stored(0, 1000).map((s) => s.assessId)).toEqual(ratings.map((r) => r.id));
  });

  it('never sends a row again while its answer waits for the gathered commit of outcomes', async () => {
    // Small batches from several workers against a province that answers at once: each worker
    // picks its lanes again and again while the rows it has just sent still wait for their commit.
    const devs = Array.from({ length: 6 }, (_, k) => new FakeDevice(`dev-g${k}`, k % 2 ? 'w-a1' : 'w-a2'));
    const ratings = Array.from({ length: 600 }, (_, i) => devs[i % 6]!.rating(ago(3600_000 - i * 1000), 5));
    await storeRecords(rig.store, ratings, { storedAt: ago(3000_000) });
    await rig.assess();
    const f = rig.uplink(referenceAdapter(sim), { outbox: { batchSize: 10, concurrency: 4 } });
    await f.start();
    await until(async () => (await sentCount()) === 600, 30_000, 'all 600 marked sent');
    await f.stop();
    expect(sim.count()).toBe(600);
    expect(sim.stats.accepted).toBe(600);
    expect(sim.stats.duplicates).toBe(0);
  });

  it('poison items go to the dead letters with the province reason, block nothing, and hall IT can retry them', async () => {
    const devs = [new FakeDevice('dev-p01', 'w-a1'), new FakeDevice('dev-p02', 'w-a2')];
    const recs = devs.flatMap((d, k) => Array.from({ length: 30 }, (_, i) => d.rating(ago(3600_000 - i * 1000 - k), k === 0 && i === 3 ? 2 : 4, { caseNo: `P${k}-${i}` })));
    await storeRecords(rig.store, recs, { storedAt: ago(3500_000) });
    await rig.assess();
    sim.setFault({ rejectCaseNos: ['P0-3', 'P1-17'] });
    const f = rig.uplink(referenceAdapter(sim));
    await f.start();
    await until(async () => sim.count() === 58 && (await f.deadLetters.count()) === 2, 10_000, 'the others delivered, the poison dead-lettered');
    // The 差评 P0-3's details come while it is dead: folded in, they go with it when it is retried.
    await storeRecords(rig.store, [devs[0]!.detail(recs[3]!, ago(1000), [214], '态度生硬')]);
    await rig.assess();
    await f.settle();

    await rig.auth.createUser('it-admin', 'hall-it-password-1', 'hall-it');
    await rig.auth.createUser('mgr', 'manager-password-1', 'manager');
    const token = async (u: string, p: string) => {
      const l = await rig.auth.login(u, p, null);
      if (!l.ok) throw new Error('login failed');
      return { authorization: `Bearer ${l.token}` };
    };
    const it = await token('it-admin', 'hall-it-password-1');
    const app = Fastify();
    await app.register(f.routes);
    expect((await app.inject({ url: '/api/uplink/dead-letters' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/uplink/dead-letters', headers: await token('mgr', 'manager-password-1') })).statusCode).toBe(403);
    const list = (await app.inject({ url: '/api/uplink/dead-letters', headers: it })).json() as {
      total: number;
      deadLetters: Array<{ id: number; reason: string; itemKey: string; item: { caseNo: string } }>;
    };
    expect(list.total).toBe(2);
    expect(list.deadLetters.map((d) => d.item.caseNo).sort()).toEqual(['P0-3', 'P1-17']);
    expect(list.deadLetters[0]!.reason).toMatch(/not-registered: projectNo P\d-\d+ is not a registered case/);
    expect((await rig.alerts.list()).map((a) => a.kind)).toContain('uplink-dead-letters');
    expect((await app.inject({ url: '/api/uplink/dead-letters?limit=0', headers: it })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/uplink/dead-letters/abc/retry', headers: it })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/uplink/dead-letters/999/retry', headers: it })).statusCode).toBe(404);

    sim.setFault({ rejectCaseNos: [] }); // the province registered the cases
    for (const d of list.deadLetters) {
      expect((await app.inject({ method: 'POST', url: `/api/uplink/dead-letters/${d.id}/retry`, headers: it })).statusCode).toBe(200);
    }
    await until(() => sim.count() === 60, 10_000, 'the retried items');
    expect(sim.caseView('P0-3').first?.record).toMatchObject({ satisfaction: 2, evalDetail: '214', writingEvaluation: '态度生硬' });
    expect(await f.deadLetters.count()).toBe(0);
    expect((await rig.audit.list()).filter((a) => a.action === 'uplink-dead-letter-retry').map((a) => a.actor)).toEqual(['it-admin', 'it-admin']);
    await until(async () => (await rig.alerts.countLive()) === 0, 5000, 'the alert cleared');
    await app.close();
  });

  it('a wrong shared key is refused by the province and retried, never dead-lettered', async () => {
    const dev = new FakeDevice('dev-k01', 'w-a1');
    await storeRecords(rig.store, [dev.rating(ago(600_000), 3), dev.rating(ago(590_000), 4)], { storedAt: ago(600_000) });
    await rig.assess();
    const wrong = rig.uplink(referenceAdapter(sim, { key: 'not-the-shared-key-000' }), { sending: { baseBackoffMs: 10, maxBackoffMs: 50 } });
    await wrong.start();
    await until(() => sim.stats.badSignature >= 3, 10_000, 'refused requests');
    await wrong.stop();
    expect(sim.count()).toBe(0);
    expect(await wrong.deadLetters.count()).toBe(0);
    const f = rig.uplink(referenceAdapter(sim));
    await f.start();
    await until(() => sim.count() === 2, 10_000, 'both ratings');
  });

  it('start and stop are idempotent, and a stopped uplink leaves nothing running', async () => {
    const dev = new FakeDevice('dev-l01', 'w-a1');
    const f = rig.uplink(referenceAdapter(sim));
    await Promise.all([f.start(), f.start()]);
    await storeRecords(rig.store, [dev.rating(ago(1000), 5)]);
    await rig.assess();
    await until(() => sim.count() === 1, 10_000, 'the first rating');
    await f.stop();
    await f.stop();
    // Neither the ledger's event nor the timer moves a stopped uplink.
    await storeRecords(rig.store, [dev.rating(ago(500), 4)]);
    await rig.assess();
    await new Promise((r) => setTimeout(r, 300));
    expect(await rig.store.db.selectFrom('uplink_outbox').select('id').execute()).toHaveLength(1);
    await f.start();
    await until(() => sim.count() === 2, 10_000, 'the second rating after a restart');
  });
});
