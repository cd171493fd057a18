/**
 * The uplink while its store cannot be read: every sending loop reads the outbox every `idleMs`
 * and the pump reads the ledger at every tick, each failing while the database is gone. Logged as
 * they came, that was a line per loop per second for the whole of an outage; now one line, and one
 * more when it works again (gateway/log/repeated-failure.ts). And once it does, what was rated
 * meanwhile reaches the province. Real store (SQLite, or PostgreSQL in test:pg), the real
 * simulator over loopback.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { addWindow, FakeDevice, storeRecords, until } from './support/fixtures.js';
import { referenceAdapter, UplinkRig } from './support/rig.js';

let rig: UplinkRig;
let sim: ProvinceSim;
beforeEach(async () => {
  rig = await UplinkRig.open();
  sim = await rig.startSimulator();
});
afterEach(async () => {
  await rig.close();
});

it('logs a store that cannot be read once, and once more when it can; what was rated meanwhile is sent', async () => {
  const lines: string[] = [];
  const logged = (msg: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);
  const feature = rig.uplink(referenceAdapter(sim), {
    outbox: { pumpEveryMs: 20, concurrency: 3 },
    sending: { idleMs: 20 },
    logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
  });
  await feature.start();
  await addWindow(rig.store, 'w-01', '01');
  const device = new FakeDevice('dev-o01', 'w-01');
  // The outbox's table away, as the database is for an outage: the three loops' reads and the pump's fail.
  await rig.store.db.schema.alterTable('uplink_outbox').renameTo('uplink_outbox_away').execute();
  const rated = Array.from({ length: 5 }, (_, i) => device.rating(new Date(Date.now() - 60_000 + i * 1000), 3, { caseNo: `O-${i}` }));
  await storeRecords(rig.store, rated);
  await rig.assess();
  await new Promise((r) => setTimeout(r, 400));
  expect(sim.count()).toBe(0);
  await rig.store.db.schema.alterTable('uplink_outbox_away').renameTo('uplink_outbox').execute();

  await until(() => sim.count() === rated.length, 20_000, 'the ratings at the province');
  await until(() => logged('the outbox is read again').length > 0 && logged('uplink enqueue works again').length > 0, 5_000, 'both back');
  await feature.stop();
  const readFailed = logged('outbox read failed; the senders read it again');
  expect(readFailed).toHaveLength(1);
  expect(readFailed[0]).toMatchObject({ level: 50, failed: 1, err: { message: expect.stringContaining('uplink_outbox') } });
  // Each loop read every 20 ms for 400 ms: the end's line counts the failures after the first.
  expect(logged('the outbox is read again')).toEqual([expect.objectContaining({ failed: expect.any(Number) })]);
  expect(logged('the outbox is read again')[0]!.failed).toBeGreaterThanOrEqual(10);
  expect(logged('uplink enqueue failed; will retry')).toHaveLength(1);
  expect(logged('uplink enqueue works again')).toHaveLength(1);
  expect(logged('uplink enqueue works again')[0]!.failed).toBeGreaterThanOrEqual(5);
});
