/**
 * Outbox against the real simulator over loopback HTTP and a real SQLite file: detail merge,
 * each injected fault, duplicates, poison records and the dead-letter API.
 */
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deadLetterPlugin } from '../../gateway/uplink/dead-letters.js';
import { HttpProvinceAdapter } from '../../gateway/uplink/http-adapter.js';
import { UplinkFeature } from '../../gateway/uplink/uplink-feature.js';
import { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { FakeDevice, openRecordsDb, storeRecords } from './support/fixtures.js';

const KEY = 'test-shared-key-0123456789';
const profile = { areaCode: '131000', deptCode: 'LF-01' };
let dir: string;
let sim: ProvinceSim;
let db: ReturnType<typeof openRecordsDb>;
let feature: UplinkFeature | null = null;

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function makeFeature(opts: { now?: () => number; timeoutMs?: number } = {}): UplinkFeature {
  feature = new UplinkFeature({
    db, profile, logger: pino({ level: 'silent' }), now: opts.now,
    adapter: new HttpProvinceAdapter({ url: `${sim.url}/province/ratings`, appId: 'hall-1', key: KEY, timeoutMs: opts.timeoutMs ?? 2000 }),
    sender: { baseBackoffMs: 20, maxBackoffMs: 200, idleMs: 20, batchSize: 50, concurrency: 3 },
    pumpEveryMs: 50,
  });
  return feature;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'uplink-'));
  db = openRecordsDb(join(dir, 'gateway.db'));
  sim = new ProvinceSim({ key: KEY, dbFile: join(dir, 'province.db') });
  await sim.start();
});
afterEach(async () => {
  await feature?.stop();
  feature = null;
  await sim.stop();
  db.close();
});

describe('uplink outbox', () => {
  it('holds a rating for its detail, merges them, and sends each rating once', async () => {
    const dev = new FakeDevice('dev-a01', 'W01');
    const t0 = Date.now() - 10_000;
    const r1 = dev.rating(new Date(t0), 2, { caseNo: 'C-1', itemCode: 'I-1', itemName: '事项一' });
    storeRecords(db, [r1]);
    const f = makeFeature();
    f.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.count()).toBe(0); // held: its detail may still come
    const d1 = dev.detail(r1, new Date(t0 + 5000), [209, 213], '等了很久');
    const r2 = dev.rating(new Date(t0 + 8000), 5, {});
    storeRecords(db, [d1, r2]);
    f.notify();
    // r2 is a good rating: no details screen follows it on the device, so it is not held.
    await until(() => sim.count() === 2);
    const byId = new Map(sim.stored().map((s) => [s.record.assessId, s.record]));
    expect(byId.get(r1.id)).toMatchObject({ projectNo: 'C-1', satisfaction: 2, evalDetail: '209,213', writingEvaluation: '等了很久', pf: 4 });
    expect(byId.get(r2.id)).toMatchObject({ satisfaction: 5, evalDetail: '' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.count()).toBe(2);
  });

  it('rides out 5xx, 429, timeouts, slowness and garbage; a duplicate answer counts as delivered', async () => {
    const dev = new FakeDevice('dev-a02', 'W02');
    const old = Date.now() - 3600_000;
    const ratings = Array.from({ length: 120 }, (_, i) => dev.rating(new Date(old + i * 1000), ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5, { caseNo: `C-${i}` }));
    storeRecords(db, ratings, new Date(old));
    for (const fault of [
      { mode: '5xx', count: 3 }, { mode: '429', count: 2, retryAfterSec: 0 }, { mode: 'timeout', count: 1 },
      { mode: 'malformed', count: 2 }, { mode: 'slow', count: 2, delayMs: 300 },
    ] as const) {
      sim.setFault(fault);
      const f = makeFeature({ timeoutMs: 500 });
      f.start();
      await until(() => sim.stats.faulted >= 1 && sim.count() > 0);
      await f.stop();
      feature = null;
      sim.setFault({ mode: 'none' });
    }
    // Forget what was sent (as if the acks were lost) and send everything again: all duplicates.
    db.prepare("UPDATE uplink_outbox SET state = 'pending'").run();
    const f = makeFeature();
    f.start();
    await until(() => (db.prepare("SELECT count(*) FROM uplink_outbox WHERE state = 'sent'").pluck().get() as number) === 120);
    expect(sim.count()).toBe(120);
    expect(sim.stats.duplicates).toBeGreaterThan(0);
    // Per-device order of first arrival follows rating time.
    const ids = sim.stored(0, 1000).map((s) => s.assessId);
    expect(ids).toEqual(ratings.map((r) => r.id));
  });

  it('poison records go to dead letters with the province reason, block nothing, and can be retried over HTTP', async () => {
    const devs = [new FakeDevice('dev-p01', 'W01'), new FakeDevice('dev-p02', 'W02')];
    const old = Date.now() - 3600_000;
    const recs = devs.flatMap((d, k) => Array.from({ length: 30 }, (_, i) => d.rating(new Date(old + i * 1000 + k), 4, { caseNo: `P${k}-${i}` })));
    storeRecords(db, recs, new Date(old));
    sim.setFault({ rejectCaseNos: ['P0-3', 'P1-17'] });
    const f = makeFeature();
    f.start();
    await until(() => sim.count() === 58 && f.deadLetters.count() === 2);
    const app = Fastify();
    await app.register(deadLetterPlugin(f.deadLetters, {
      preHandler: async (req, reply) => { if (req.headers.authorization !== 'Bearer it') await reply.code(401).send({ error: 'unauthorized' }); },
      onRetry: () => f.sender.poke(),
    }));
    expect((await app.inject({ url: '/api/uplink/dead-letters' })).statusCode).toBe(401);
    const list = (await app.inject({ url: '/api/uplink/dead-letters', headers: { authorization: 'Bearer it' } })).json() as { total: number; deadLetters: Array<{ id: number; reason: string; payload: { projectNo: string } }> };
    expect(list.total).toBe(2);
    expect(list.deadLetters.map((d) => d.payload.projectNo).sort()).toEqual(['P0-3', 'P1-17']);
    expect(list.deadLetters[0]!.reason).toMatch(/not a registered case/);
    expect((await app.inject({ method: 'POST', url: '/api/uplink/dead-letters/abc/retry', headers: { authorization: 'Bearer it' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/uplink/dead-letters/999/retry', headers: { authorization: 'Bearer it' } })).statusCode).toBe(404);
    sim.setFault({ rejectCaseNos: [] }); // the province registered the cases
    const res = await app.inject({ method: 'POST', url: `/api/uplink/dead-letters/${list.deadLetters[0]!.id}/retry`, headers: { authorization: 'Bearer it' } });
    expect(res.statusCode).toBe(200);
    await until(() => sim.count() === 59);
    expect(f.deadLetters.count()).toBe(1);
    await app.close();
  });

  it('a wrong shared key is refused by the province and retried, never dead-lettered; the plugin answers 503 before the feature exists', async () => {
    const dev = new FakeDevice('dev-k01', 'W01');
    storeRecords(db, [dev.rating(new Date(Date.now() - 600_000), 3), dev.rating(new Date(Date.now() - 590_000), 4)], new Date(Date.now() - 600_000));
    const wrong = new UplinkFeature({
      db, profile, logger: pino({ level: 'silent' }),
      adapter: new HttpProvinceAdapter({ url: `${sim.url}/province/ratings`, appId: 'hall-1', key: 'not-the-shared-key-000' }),
      sender: { baseBackoffMs: 10, maxBackoffMs: 50, idleMs: 20 },
    });
    await wrong.start();
    await until(() => sim.stats.badSignature >= 3);
    await wrong.stop();
    expect(sim.count()).toBe(0);
    expect(wrong.deadLetters.count()).toBe(0);
    const f = makeFeature();
    await f.start();
    await until(() => sim.count() === 2);

    const app = Fastify();
    let late: UplinkFeature | undefined;
    await app.register(deadLetterPlugin(() => late?.deadLetters, { preHandler: async () => {} }));
    expect((await app.inject({ url: '/api/uplink/dead-letters' })).statusCode).toBe(503);
    late = f;
    expect((await app.inject({ url: '/api/uplink/dead-letters' })).json()).toEqual({ total: 0, deadLetters: [] });
    await app.close();
  });
});
