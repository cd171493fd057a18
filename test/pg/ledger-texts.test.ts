/**
 * The assessor's ledger inserts on PostgreSQL (gateway/ratings/assessments.ts, LedgerWrites):
 * texts made once per size (gateway/store/statement-texts.ts) and sent as named prepared
 * statements, as docs/POSTGRES.md says; the rows they write are the rows given, in order.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { allMigrations } from '../../gateway/migrations.js';
import { LedgerWrites, type NewAssessment } from '../../gateway/ratings/assessments.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';

let store: GatewayStore;
beforeAll(async () => {
  // One connection: the prepared statements read back are the ones the writes made.
  store = await openPostgresStore({ connectionString: await testDatabaseUrl(`ledger-texts-${process.pid}-${Date.now()}`), poolSize: 1 });
  await migrateStore(store, allMigrations(GATEWAY_FEATURES));
});
afterAll(() => store?.close());

const assessment = (i: number): NewAssessment => ({
  assess_id: `a-${String(i).padStart(3, '0')}`,
  source: 'device',
  channel: 'pad',
  record_id: `a-${i}`,
  device_id: 'dev-01',
  case_no: null,
  assess_number: 1,
  level: 1 + (i % 5),
  pressed_at: '2026-12-05T02:00:00.000Z',
  clock_flag: 'ok',
  window_id: 'w-01',
  window_number: '01',
  department: '税务局',
  department_id: null,
  staff_id: null,
  item_code: null,
  item_name: null,
  catalogue_version: 'v1',
  is_default: 0,
  replaces: null,
  reasons: null,
  comment: i === 0 ? "it's fine, 谢谢" : null,
  contact_record_id: null,
  details_at: null,
  flags: '[]',
});

it('writes a step of 53 assessments in sized inserts, each text prepared once, the rows as given', async () => {
  const now = '2026-12-05T02:00:01.000Z';
  const keep = store.keepPrepared!.bind(store);
  const prepared = await store.write(async (trx) => {
    const writes = new LedgerWrites(trx, now, null, keep);
    for (let i = 0; i < 53; i++) writes.add(assessment(i));
    writes.logChange('a-000', 'details');
    await writes.flush();
    return (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(trx)).rows.map((r) => r.statement);
  });
  // 53 = 32 + 16 + 4 + 1 rows (at most 50 a statement); the log's 54 entries = 32 + 16 + 4 + 2.
  const rowsOf = (table: string) => prepared.filter((t) => t.startsWith(`INSERT INTO ${table} `)).map((t) => t.match(/\(\$/g)!.length);
  expect(rowsOf('assessments').sort((a, b) => a - b)).toEqual([1, 4, 16, 32]);
  expect(rowsOf('assessment_log').sort((a, b) => a - b)).toEqual([2, 4, 16, 32]);

  const rows = await store.db.selectFrom('assessments').selectAll().orderBy('seq').execute();
  expect(rows.map((r) => r.assess_id)).toEqual(Array.from({ length: 53 }, (_, i) => assessment(i).assess_id));
  expect(rows[0]).toMatchObject({ ...assessment(0), assess_number: 1, level: 1, china_date: '2026-12-05', superseded_by: null, created_at: now });
  expect(rows[52]).toMatchObject({ assess_id: 'a-052', level: 3, comment: null });
  const log = await store.db.selectFrom('assessment_log').select(['assess_id', 'change']).orderBy('seq').execute();
  expect(log).toHaveLength(54);
  expect(log[53]).toEqual({ assess_id: 'a-000', change: 'details' });
});
