/**
 * While devices send, the assessor goes on in small chunks, one every 200 ms, instead of one large
 * chunk a second: a chunk holds the event loop for its whole transaction, and 250 records at once
 * held every press behind them (press→ack p99, issue 14). Once ingest is quiet it catches up in
 * full chunks. The ledger keeps up with a steady hall either way.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { Assessor, type CURSOR_HELD } from '../../gateway/ratings/assessor.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { addWindow, FakeDevice, openTestStore, silent, storeRecords, until } from '../uplink/support/fixtures.js';

let store: GatewayStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

const ledgerRows = async (s: GatewayStore) =>
  Number(
    (
      await s.db
        .selectFrom('assessments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** An assessor on `s` whose ingest is busy while `busy()` says so. */
const assessorOn = (s: GatewayStore, busy: () => boolean) => new Assessor(s, { now: () => Date.now() }, silent, () => undefined, busy);

it('takes 64 records every 200 ms while ingest is busy, and full chunks of 250 once it is quiet', async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-assessor-')), 'gateway.db'));
  await addWindow(store, 'w-01', '01');
  const device = new FakeDevice('dev-pace', 'w-01');
  let busy = true;
  const assessor = assessorOn(store, () => busy);
  const pumps: Array<{ chunk: number | undefined; at: number; read?: number | typeof CURSOR_HELD }> = [];
  const pump = assessor.pump.bind(assessor);
  vi.spyOn(assessor, 'pump').mockImplementation(async (chunk?: number) => {
    const p: (typeof pumps)[number] = { chunk, at: performance.now() };
    pumps.push(p);
    p.read = await pump(chunk);
    return p.read;
  });

  await storeRecords(
    store,
    Array.from({ length: 256 }, () => device.rating(new Date(), 5)),
  );
  const t0 = performance.now();
  assessor.notify();
  await until(async () => (await ledgerRows(store!)) === 256, 5_000, 'the 256 ratings in the ledger');
  const busyElapsed = performance.now() - t0;
  // The paced run ends with a chunk that reads nothing.
  await until(() => pumps.some((p) => p.read === 0), 5_000, 'the paced run to end');
  const busyPumps = pumps.splice(0);
  expect(busyPumps.every((p) => p.chunk === 64)).toBe(true);
  expect(busyPumps.length).toBeGreaterThanOrEqual(4);
  for (let i = 1; i < busyPumps.length; i++) expect(busyPumps[i]!.at - busyPumps[i - 1]!.at).toBeGreaterThanOrEqual(195);
  // Four chunks, 200 ms apart: the ledger is about a second behind, not a second per chunk.
  expect(busyElapsed).toBeLessThan(3_000);

  busy = false;
  await storeRecords(
    store,
    Array.from({ length: 600 }, () => device.rating(new Date(), 4)),
  );
  await assessor.catchUp();
  expect(await ledgerRows(store)).toBe(856);
  // catchUp: full chunks until what was stored before it is assessed.
  expect(pumps.map((p) => p.chunk)).toEqual([250, 250, 250]);
});

it('catches up with what was stored before the call while devices go on sending', async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-assessor-')), 'gateway.db'));
  await addWindow(store, 'w-01', '01');
  const device = new FakeDevice('dev-steady', 'w-01');
  const assessor = assessorOn(store, () => true);
  await storeRecords(
    store,
    Array.from({ length: 300 }, () => device.rating(new Date(), 5)),
  );
  // A steady stream, as a drill's devices resend: a record every 20 ms, each stored one notified.
  let sending = true;
  const stream = (async () => {
    while (sending) {
      await storeRecords(store!, [device.rating(new Date(), 4)]);
      assessor.notify();
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    const t0 = performance.now();
    const done = await Promise.race([assessor.catchUp().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5_000))]);
    expect(done, 'catchUp resolved while devices were sending').toBe(true);
    expect(performance.now() - t0).toBeLessThan(5_000);
    // Everything stored before the call is in the ledger, once.
    const levels = await store.db.selectFrom('assessments').select('level').execute();
    expect(levels.filter((l) => l.level === 5)).toHaveLength(300);
    expect(new Set((await store.db.selectFrom('assessments').select('assess_id').execute()).map((a) => a.assess_id)).size).toBe(levels.length);
  } finally {
    sending = false;
    await stream;
    await assessor.catchUp();
  }
  const stored = Number(
    (
      await store.db
        .selectFrom('records')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  expect(await ledgerRows(store)).toBe(stored);
});
