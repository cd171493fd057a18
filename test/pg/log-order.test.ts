/**
 * A followed log on PostgreSQL: a row never becomes visible before a row with a smaller key, so a
 * follower that has passed key N never misses a row below it (gateway/store/log-order.ts). The
 * case that breaks without the lock: A takes key 1 and is slow to commit, B takes key 2 and
 * commits at once; a follower that reads then sees 2 and moves its cursor past 1.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allMigrations } from '../../gateway/migrations.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { lockLogForAppend } from '../../gateway/store/log-order.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';

let store: GatewayStore;
beforeAll(async () => {
  store = await openPostgresStore({ connectionString: await testDatabaseUrl(`log-order-${process.pid}-${Date.now()}`), poolSize: 4 });
  await migrateStore(store, allMigrations(GATEWAY_FEATURES));
});
afterAll(() => store?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a later appender waits for the earlier one to commit: the follower sees the log without holes', async () => {
  const append = (assessId: string, holdMs: number) =>
    store.write(async (trx) => {
      await lockLogForAppend(trx, 'assessment_log');
      const r = await trx
        .insertInto('assessment_log')
        .values({ assess_id: assessId, change: 'created', at: '2026-11-30T00:00:00.000Z' })
        .returning('seq')
        .executeTakeFirstOrThrow();
      await sleep(holdMs);
      return r.seq;
    });
  const slow = append('a-slow', 400);
  await sleep(100);
  const fast = append('a-fast', 0);
  await sleep(150);
  // The slow one is still open: a follower reading now must not see the fast one's row.
  const seenMeanwhile = await store.db.selectFrom('assessment_log').select(['assess_id', 'seq']).execute();
  expect(seenMeanwhile).toEqual([]);
  const [slowSeq, fastSeq] = await Promise.all([slow, fast]);
  expect(fastSeq).toBeGreaterThan(slowSeq);
  const all = await store.db.selectFrom('assessment_log').select('assess_id').orderBy('seq').execute();
  expect(all.map((r) => r.assess_id)).toEqual(['a-slow', 'a-fast']);
});

it('an appender that waited for its turn reads what the one before it committed', async () => {
  // SERIALIZABLE freezes a transaction's view at its first query. Were the turn taken by a query
  // (SELECT pg_advisory_xact_lock), the view would be frozen before the wait: the second appender
  // would read the log's heads as they were before the first committed, and write beside them.
  const first = store.write(async (trx) => {
    await lockLogForAppend(trx, 'assessment_log');
    await trx.insertInto('assessment_log').values({ assess_id: 'c-first', change: 'created', at: '2026-11-30T00:00:00.000Z' }).execute();
    await sleep(300);
  });
  await sleep(100);
  const seenBySecond = await store.write(async (trx) => {
    await lockLogForAppend(trx, 'assessment_log');
    return trx.selectFrom('assessment_log').select('assess_id').where('assess_id', 'like', 'c-%').execute();
  });
  await first;
  expect(seenBySecond.map((r) => r.assess_id)).toEqual(['c-first']);
});

it('without the lock the hole is real (what the lock is for)', async () => {
  const append = (assessId: string, holdMs: number) =>
    store.write(async (trx) => {
      await trx.insertInto('assessment_log').values({ assess_id: assessId, change: 'created', at: '2026-11-30T00:00:00.000Z' }).execute();
      await sleep(holdMs);
    });
  const slow = append('b-slow', 400);
  await sleep(100);
  await append('b-fast', 0);
  const seenMeanwhile = await store.db.selectFrom('assessment_log').select('assess_id').where('assess_id', 'like', 'b-%').execute();
  expect(seenMeanwhile.map((r) => r.assess_id)).toEqual(['b-fast']);
  await slow;
});
