/**
 * Assessors take turns on their cursor. On PostgreSQL several can run at once: one per worker, and
 * in one worker `catchUp()` beside the paced run. Two chunks reading the same records used to meet
 * at the ledger's key (a unique violation, not a retryable serialization failure), and the loser
 * failed: catchUp threw to its caller, the paced run logged an error. Now the one that finds the
 * cursor held leaves those records to its holder and looks again. On SQLite writers take turns in
 * any case; the same tests hold there.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { Assessor } from '../../gateway/ratings/assessor.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { addWindow, FakeDevice, openTestStore, storeRecords, until } from '../uplink/support/fixtures.js';

let store: GatewayStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

/** A logger that keeps what is logged at warn and above. */
function keptLogger() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) }) };
}

async function storeWith(ratings: number): Promise<GatewayStore> {
  const s = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-turns-')), 'gateway.db'));
  await addWindow(s, 'w-01', '01');
  const device = new FakeDevice('dev-turns', 'w-01');
  await storeRecords(
    s,
    Array.from({ length: ratings }, (_, i) => device.rating(new Date(), ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5)),
  );
  return s;
}

const ledgerIds = async (s: GatewayStore) => (await s.db.selectFrom('assessments').select('assess_id').execute()).map((a) => a.assess_id);

it('two assessors on one store (two workers) catch up together: each record assessed once, neither fails', async () => {
  store = await storeWith(1_000);
  const log = keptLogger();
  const a = new Assessor(store, { now: () => Date.now() }, log.logger, () => undefined);
  const b = new Assessor(store, { now: () => Date.now() }, log.logger, () => undefined);
  await Promise.all([a.catchUp(), b.catchUp()]);
  const ids = await ledgerIds(store);
  expect(ids).toHaveLength(1_000);
  expect(new Set(ids).size).toBe(1_000);
  expect(log.lines).toEqual([]);
});

it('two workers’ paced runs assess every record once without an error', async () => {
  store = await storeWith(600);
  const log = keptLogger();
  const a = new Assessor(store, { now: () => Date.now() }, log.logger, () => undefined);
  const b = new Assessor(store, { now: () => Date.now() }, log.logger, () => undefined);
  a.notify();
  b.notify();
  await until(async () => (await ledgerIds(store!)).length === 600, 20_000, 'the 600 ratings in the ledger');
  // Both runs end (each reads nothing at last), and nothing was logged on the way.
  await Promise.all([a.catchUp(), b.catchUp()]);
  expect(new Set(await ledgerIds(store)).size).toBe(600);
  expect(log.lines).toEqual([]);
});

it('catchUp beside the same assessor’s paced run resolves, with everything stored before it assessed once', async () => {
  store = await storeWith(800);
  const log = keptLogger();
  const assessor = new Assessor(store, { now: () => Date.now() }, log.logger, () => undefined);
  assessor.notify();
  await assessor.catchUp();
  const ids = await ledgerIds(store);
  expect(ids).toHaveLength(800);
  expect(new Set(ids).size).toBe(800);
  expect(log.lines).toEqual([]);
});
