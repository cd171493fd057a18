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
import { Assessor } from '../../gateway/ratings/assessor.js';
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

it('takes 64 records every 200 ms while ingest is busy, and full chunks of 250 once it is quiet', async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-assessor-')), 'gateway.db'));
  await addWindow(store, 'w-01', '01');
  const device = new FakeDevice('dev-pace', 'w-01');
  let busy = true;
  const assessor = new Assessor(
    store,
    { now: () => Date.now() },
    silent,
    () => undefined,
    () => busy,
  );
  const pumps: Array<{ chunk: number | undefined; at: number }> = [];
  const pump = assessor.pump.bind(assessor);
  vi.spyOn(assessor, 'pump').mockImplementation((chunk?: number) => {
    pumps.push({ chunk, at: performance.now() });
    return pump(chunk);
  });

  await storeRecords(
    store,
    Array.from({ length: 256 }, () => device.rating(new Date(), 5)),
  );
  const t0 = performance.now();
  assessor.notify();
  await until(async () => (await ledgerRows(store!)) === 256, 5_000, 'the 256 ratings in the ledger');
  const busyElapsed = performance.now() - t0;
  await assessor.catchUp();
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
  expect(pumps.map((p) => p.chunk)).toEqual([250, 250, 250, 250]);
});
