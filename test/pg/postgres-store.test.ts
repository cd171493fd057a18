import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { allMigrations } from '../../gateway/migrations.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openConfiguredStore } from '../../gateway/store/open-store.js';
import { openPostgresStore, StoreUnavailableError } from '../../gateway/store/postgres-store.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';
import { deadlockingWrites } from '../support/deadlocking-writes.js';

let store: GatewayStore;
let url: string;

beforeAll(async () => {
  url = await testDatabaseUrl(`postgres-store-${process.pid}-${Date.now()}`);
  store = await openPostgresStore({ connectionString: url, poolSize: 4 });
});
afterAll(() => store?.close());

describe('the PostgreSQL store', () => {
  it('runs every migration of the gateway and its features, and a second start applies none', async () => {
    const applied = await migrateStore(store, allMigrations(GATEWAY_FEATURES));
    expect(applied.length).toBe(allMigrations(GATEWAY_FEATURES).length);
    expect(await migrateStore(store, allMigrations(GATEWAY_FEATURES))).toEqual([]);
    const tables = await store.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['records', 'assessments', 'uplink_outbox', 'followups', 'report_snapshots', 'invitations']));
  });

  it('holds 64-bit integers as SQLite does, and reads them back as numbers', async () => {
    const twoYearsMs = 2 * 365 * 24 * 3600_000;
    await store.db
      .insertInto('records')
      .values({ id: 'r-big', device_id: 'd-9', epoch: 1, seq: 1, kind: 'rating', hash: 'h', at: 'x', at_corrected: 'x', clock_offset_ms: -twoYearsMs, body: '{}', stored_at: 'x' })
      .execute();
    const r = await store.db.selectFrom('records').select(['clock_offset_ms', 'ingest_seq']).where('id', '=', 'r-big').executeTakeFirstOrThrow();
    expect(r.clock_offset_ms).toBe(-twoYearsMs);
    expect(typeof r.ingest_seq).toBe('number');
  });

  it('keeps the records append-only', async () => {
    await store.db.insertInto('windows').values({ window_id: 'w-01', number: '01', department: '税务局', created_at: '2026-11-30T00:00:00.000Z' }).execute();
    await store.db
      .insertInto('records')
      .values({ id: 'r-1', device_id: 'd-1', epoch: 1, seq: 1, kind: 'rating', hash: 'h', at: 'x', at_corrected: 'x', window_id: 'w-01', level: 5, body: '{}', stored_at: 'x' })
      .execute();
    await expect(store.db.updateTable('records').set({ level: 1 }).where('id', '=', 'r-1').execute()).rejects.toThrow(/append-only/);
    await expect(store.db.deleteFrom('records').where('id', '=', 'r-1').execute()).rejects.toThrow(/append-only/);
    const n = await store.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('id', '=', 'r-1')
      .executeTakeFirstOrThrow();
    expect(n.n).toBe(1);
  });

  it('serializes read-then-write transactions: 20 concurrent increments of one cursor give 20', async () => {
    await store.db.insertInto('cursors').values({ name: 'race', position: 0 }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.write(async (trx) => {
          const r = await trx.selectFrom('cursors').select('position').where('name', '=', 'race').executeTakeFirstOrThrow();
          await new Promise((res) => setTimeout(res, 2));
          await trx
            .updateTable('cursors')
            .set({ position: r.position + 1 })
            .where('name', '=', 'race')
            .execute();
        }),
      ),
    );
    const r = await store.db.selectFrom('cursors').select('position').where('name', '=', 'race').executeTakeFirstOrThrow();
    expect(r.position).toBe(20);
  });

  it('runs a write at READ COMMITTED when asked, and retries it after a deadlock', async () => {
    const isolation = (trx: Parameters<Parameters<GatewayStore['write']>[0]>[0]) =>
      sql<{ transaction_isolation: string }>`SHOW transaction_isolation`.execute(trx).then((r) => r.rows[0]!.transaction_isolation);
    expect(await store.write(isolation)).toBe('serializable');
    expect(await store.write(isolation, { isolation: 'read committed' })).toBe('read committed');
    // Two writes take the same two rows in opposite orders: PostgreSQL aborts one (40P01), and
    // the store runs it again, so both increments land on both rows.
    let attempts = 0;
    await deadlockingWrites(store, ['lock-a', 'lock-b'], () => attempts++);
    expect(attempts).toBe(3);
    const rows = await store.db.selectFrom('cursors').select(['name', 'position']).where('name', 'in', ['lock-a', 'lock-b']).orderBy('name').execute();
    expect(rows).toEqual([
      { name: 'lock-a', position: 2 },
      { name: 'lock-b', position: 2 },
    ]);
  });

  it('rolls a write back when it throws', async () => {
    await expect(
      store.write(async (trx) => {
        await trx.insertInto('cursors').values({ name: 'rolled-back', position: 1 }).execute();
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await store.db.selectFrom('cursors').select('name').where('name', '=', 'rolled-back').executeTakeFirst()).toBeUndefined();
  });

  it('says in one line, without the password, that an unreachable server cannot be reached', async () => {
    const err = await openPostgresStore({ connectionString: 'postgres://hcp:s3cret-pw@127.0.0.1:1/city' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/^PostgreSQL at 127\.0\.0\.1:1\/city cannot be reached: ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret-pw');
    expect((err as Error).message).not.toContain('\n');
  });

  it('sends a text kept prepared as a named statement on the connection, and any other text unnamed', async () => {
    const kept = 'SELECT CAST($1 AS INTEGER) + 1 AS n';
    const other = 'SELECT CAST($1 AS INTEGER) + 2 AS n';
    store.keepPrepared!(kept);
    const prepared = await store.write(async (trx) => {
      // One transaction holds one connection: both runs, and the view, are that connection's.
      for (let i = 0; i < 2; i++) {
        expect((await trx.executeQuery(CompiledQuery.raw(kept, [41]))).rows).toEqual([{ n: 42 }]);
        await trx.executeQuery(CompiledQuery.raw(other, [41]));
      }
      return (await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(trx)).rows;
    });
    expect(prepared).toEqual([{ name: 'hcp_1', statement: kept }]);
  });

  it('prepares nothing when told not to (behind a transaction-mode pooler)', async () => {
    const unprepared = await openPostgresStore({ connectionString: url, poolSize: 1, preparedStatements: false });
    try {
      const kept = 'SELECT CAST($1 AS INTEGER) + 3 AS n';
      unprepared.keepPrepared!(kept);
      const prepared = await unprepared.write(async (trx) => {
        expect((await trx.executeQuery(CompiledQuery.raw(kept, [39]))).rows).toEqual([{ n: 42 }]);
        return (await sql`SELECT name FROM pg_prepared_statements`.execute(trx)).rows;
      });
      expect(prepared).toEqual([]);
    } finally {
      await unprepared.close();
    }
  });
});

describe('the store section of the config', () => {
  const parse = (store: unknown) => parseGatewayConfig({ dataDir: 'data', hall: { hallName: '大厅' }, ...(store === undefined ? {} : { store }) }, GATEWAY_FEATURES, '/srv/hcp');

  it('defaults to the SQLite file in the data dir, as configs without a store section always did', async () => {
    const c = parse(undefined);
    expect(c.store).toEqual({ kind: 'sqlite', checkpoints: 'thread' });
    // Backup, restore and the key files beside it expect the file in the data dir: it does not move.
    expect(() => parse({ kind: 'sqlite', file: 'db/hall.db' })).toThrow(/store/);
  });

  it('takes a PostgreSQL url with a pool size, and opens it', async () => {
    const c = parseGatewayConfig({ dataDir: 'data', hall: { hallName: '大厅' }, store: { kind: 'postgres', url } }, GATEWAY_FEATURES, '/srv/hcp');
    expect(c.store).toEqual({ kind: 'postgres', url, poolSize: 10, preparedStatements: true });
    const opened = await openConfiguredStore(c);
    try {
      expect(opened.dialect).toBe('postgres');
      expect(opened.sqlite).toBeNull();
    } finally {
      await opened.close();
    }
  });

  it('names the field that is wrong', () => {
    expect(() => parse({ kind: 'postgres', url: 'mysql://x/y' })).toThrow(/store\.url.*postgres:\/\//);
    expect(() => parse({ kind: 'postgres', url: 'postgres://h/db', poolSize: 0 })).toThrow(/store\.poolSize/);
    expect(() => parse({ kind: 'postgres', url: 'postgres://h/db', preparedStatements: 'yes' })).toThrow(/store\.preparedStatements/);
    expect(() => parse({ kind: 'postgres', url: 'postgres://h/db', file: 'x.db' })).toThrow(/store.*file/);
    expect(() => parse({ kind: 'oracle' })).toThrow(/store\.kind/);
  });
});
