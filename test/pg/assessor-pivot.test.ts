/**
 * The assessor's chunk on PostgreSQL is not cancelled as a SERIALIZABLE pivot between ingest and
 * the ledger's readers (gateway/ratings/records-to-assess.ts). The case, set up step by step: a
 * reader of the ledger's log is open (the uplink, the follow-up opener: an edge into the chunk once
 * the chunk appends to that log); the chunk has read its records and waits for the log's turn; an
 * ingest group stores a record beside them and commits (an edge out of the chunk, had it read the
 * records in its transaction). With both edges, PostgreSQL cancelled the chunk and it ran again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { Assessor } from '../../gateway/ratings/assessor.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { lockLogForAppend } from '../../gateway/store/log-order.js';
import { addWindow, FakeDevice, openTestStore, storeRecords, until } from '../uplink/support/fixtures.js';

let store: GatewayStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

it('a chunk that waited for the ledger log’s turn while ingest stored beside its records commits without running again', async () => {
  store = await openTestStore(join(mkdtempSync(join(tmpdir(), 'hcp-pivot-')), 'gateway.db'));
  expect(store.dialect).toBe('postgres');
  const s = store;
  await addWindow(s, 'w-01', '01');
  const device = new FakeDevice('dev-pivot', 'w-01');
  const rate = (n: number) => Array.from({ length: n }, (_, i) => device.rating(new Date(), ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5));
  const assessor = new Assessor(s, { now: () => Date.now() }, pino({ level: 'silent' }), () => undefined);
  await storeRecords(s, rate(10));
  await assessor.catchUp();
  await storeRecords(s, rate(5));
  const retriesBefore = s.writeRetries?.()['40001'] ?? 0;

  // A reader of the ledger's log, open until the end.
  const readerDone = gate();
  const readerRead = gate();
  const reader = s.write(async (trx) => {
    await trx.selectFrom('assessment_log').select('seq').where('seq', '>', 0).execute();
    readerRead.open();
    await readerDone.opened;
  });
  await readerRead.opened;
  // Another appender holds the log's turn, so the chunk waits for it after reading its records.
  const turnDone = gate();
  const turnTaken = gate();
  const holder = s.write(async (trx) => {
    await lockLogForAppend(trx, 'assessment_log');
    turnTaken.open();
    await turnDone.opened;
  });
  await turnTaken.opened;
  const chunk = assessor.pump();
  const waitingForTurn = async () =>
    Number((await sql<{ n: number }>`SELECT count(*) AS n FROM pg_locks WHERE relation = 'turn_assessment_log'::regclass AND NOT granted`.execute(s.db)).rows[0]?.n) === 1;
  let read: Awaited<typeof chunk>;
  try {
    await until(waitingForTurn, 10_000, 'the chunk waiting for the log’s turn');
    // Ingest stores a record beside the chunk's and commits while the chunk waits.
    await storeRecords(s, rate(1));
  } finally {
    turnDone.open();
    await holder;
    read = await chunk;
    readerDone.open();
    await reader;
  }
  // Run again, the chunk would have read the record stored meanwhile too (6).
  expect(read).toBe(5);

  expect((s.writeRetries?.()['40001'] ?? 0) - retriesBefore).toBe(0);
  const ledger = await s.db.selectFrom('assessments').select('assess_id').execute();
  expect(ledger).toHaveLength(15);
  await assessor.catchUp();
  expect(await s.db.selectFrom('assessments').select('assess_id').execute()).toHaveLength(16);
});
