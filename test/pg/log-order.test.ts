/**
 * A followed log on PostgreSQL: a row never becomes visible before a row with a smaller key, so a
 * follower that has passed key N never misses a row below it (gateway/store/log-order.ts). The
 * case that breaks without the lock: A takes key 1 and is slow to commit, B takes key 2 and
 * commits at once; a follower that reads then sees 2 and moves its cursor past 1.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('a write that says which log it appends to (WriteOptions.appendsTo)', () => {
  const appendAs = (assessId: string, holdMs: number) =>
    store.write(
      async (trx) => {
        // No lockLogForAppend of its own: the lock came with the transaction's start.
        const r = await trx
          .insertInto('assessment_log')
          .values({ assess_id: assessId, change: 'created', at: '2026-11-30T00:00:00.000Z' })
          .returning('seq')
          .executeTakeFirstOrThrow();
        await sleep(holdMs);
        return r.seq;
      },
      { appendsTo: 'assessment_log' },
    );

  it('holds the lock from its start: the follower sees no hole', async () => {
    const slow = appendAs('c-slow', 400);
    await sleep(100);
    const fast = appendAs('c-fast', 0);
    await sleep(150);
    const seenMeanwhile = await store.db.selectFrom('assessment_log').select('assess_id').where('assess_id', 'like', 'c-%').execute();
    expect(seenMeanwhile).toEqual([]);
    const [slowSeq, fastSeq] = await Promise.all([slow, fast]);
    expect(fastSeq).toBeGreaterThan(slowSeq);
  });

  it('is SERIALIZABLE unless asked otherwise, and lockLogForAppend inside it finds the lock held', async () => {
    const seen = await store.write(
      async (trx) => {
        await lockLogForAppend(trx, 'assessment_log');
        const iso = await sql<{ transaction_isolation: string }>`SHOW transaction_isolation`.execute(trx);
        // This transaction's advisory locks: exactly one, taken once.
        const locks = await sql<{ n: number }>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`.execute(trx);
        return { isolation: iso.rows[0]!.transaction_isolation, locks: locks.rows[0]!.n };
      },
      { appendsTo: 'assessment_log' },
    );
    expect(seen).toEqual({ isolation: 'serializable', locks: 1 });
    const rc = await store.write((trx) => sql<{ t: string }>`SHOW transaction_isolation`.execute(trx).then((r) => r.rows[0]), {
      appendsTo: 'assessment_log',
      isolation: 'read committed',
    });
    expect(rc).toEqual({ transaction_isolation: 'read committed' });
  });

  it('rolls back when it throws, and lets the lock go', async () => {
    await expect(
      store.write(
        async (trx) => {
          await trx.insertInto('assessment_log').values({ assess_id: 'd-thrown', change: 'created', at: '2026-11-30T00:00:00.000Z' }).execute();
          throw new Error('no');
        },
        { appendsTo: 'assessment_log' },
      ),
    ).rejects.toThrow('no');
    expect(await store.db.selectFrom('assessment_log').select('assess_id').where('assess_id', '=', 'd-thrown').executeTakeFirst()).toBeUndefined();
    // The next appender does not wait for a lock the failed write kept.
    const t0 = performance.now();
    await appendAs('d-next', 0);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('fails, storing nothing, when a statement failed inside it and PostgreSQL answers COMMIT with ROLLBACK', async () => {
    await expect(
      store.write(
        async (trx) => {
          await trx.insertInto('assessment_log').values({ assess_id: 'e-aborted', change: 'created', at: '2026-11-30T00:00:00.000Z' }).execute();
          await sql`SELECT 1 / 0`.execute(trx).catch(() => undefined);
          return 'looked fine';
        },
        { appendsTo: 'assessment_log' },
      ),
    ).rejects.toThrow(/rolled back at COMMIT/);
    expect(await store.db.selectFrom('assessment_log').select('assess_id').where('assess_id', '=', 'e-aborted').executeTakeFirst()).toBeUndefined();
  });

  it('runs again after a serialization failure, as any write', async () => {
    let attempts = 0;
    const before = store.writeRetries!()['40001'] ?? 0;
    const seq = await store.write(
      async (trx) => {
        attempts++;
        const r = await trx
          .insertInto('assessment_log')
          .values({ assess_id: `f-${attempts}`, change: 'created', at: '2026-11-30T00:00:00.000Z' })
          .returning('seq')
          .executeTakeFirstOrThrow();
        if (attempts === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
        return r.seq;
      },
      { appendsTo: 'assessment_log' },
    );
    expect(attempts).toBe(2);
    expect(store.writeRetries!()['40001']).toBe(before + 1);
    const kept = await store.db.selectFrom('assessment_log').select(['assess_id', 'seq']).where('assess_id', 'like', 'f-%').execute();
    expect(kept).toEqual([{ assess_id: 'f-2', seq }]);
  });
});
