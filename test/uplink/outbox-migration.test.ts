/**
 * The outbox's kind CHECK widened for rectification records (uplink-schema.ts, second migration):
 * on SQLite the table is rebuilt, so a gateway that already has an outbox — rows sent, dead and
 * pending, chained by after_id, with dead letters pointing at them — keeps all of it, ids included.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../gateway/store/database.js';
import { CORE_MIGRATIONS } from '../../gateway/store/core-schema.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { UPLINK_MIGRATIONS } from '../../gateway/uplink/uplink-schema.js';

const row = (id: number, after: number | null, state: string) => ({
  id,
  item_key: `rating:a${id}`,
  kind: 'rating',
  assess_id: `a${id}`,
  case_no: null,
  order_key: 'device:d',
  lane: 1,
  at: `2026-12-01T00:00:0${id}.000Z`,
  after_id: after,
  payload: '{}',
  state,
  enqueued_at: '2026-12-01T00:00:00.000Z',
});

describe('the outbox migration for rectification records', () => {
  it('keeps every row, id, chain and dead letter, and takes the new kind', async () => {
    const store = openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'outbox-mig-')), 'gateway.db') });
    try {
      await migrateStore(store, [...CORE_MIGRATIONS, UPLINK_MIGRATIONS[0]!]);
      await store.db
        .insertInto('uplink_outbox')
        .values([row(1, null, 'sent'), row(2, 1, 'dead'), row(3, 2, 'pending')])
        .execute();
      await store.db.insertInto('uplink_dead_letters').values({ outbox_id: 2, item_key: 'rating:a2', reason: 'not registered', dead_at: '2026-12-01T00:00:09.000Z' }).execute();
      const rectification = { ...row(9, 3, 'pending'), item_key: 'rectify:fu-1:7', kind: 'rectification' };
      await expect(store.db.insertInto('uplink_outbox').values(rectification).execute()).rejects.toThrow(/CHECK/);

      expect(await migrateStore(store, [...CORE_MIGRATIONS, ...UPLINK_MIGRATIONS])).toEqual(['20261201-21-uplink-rectification-kind']);
      expect(await store.db.selectFrom('uplink_outbox').select(['id', 'after_id', 'state']).orderBy('id').execute()).toEqual([
        { id: 1, after_id: null, state: 'sent' },
        { id: 2, after_id: 1, state: 'dead' },
        { id: 3, after_id: 2, state: 'pending' },
      ]);
      expect((await sql`PRAGMA foreign_key_check`.execute(store.db)).rows).toEqual([]);
      const indexes = (
        await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'uplink_outbox' AND name NOT LIKE 'sqlite_%'`.execute(store.db)
      ).rows;
      expect(indexes.map((i) => i.name).sort()).toEqual(['uplink_outbox_after', 'uplink_outbox_assess', 'uplink_outbox_case', 'uplink_outbox_pending']);
      await store.db.insertInto('uplink_outbox').values(rectification).execute();
      const { id: _id, ...next } = row(0, null, 'pending');
      const added = await store.db
        .insertInto('uplink_outbox')
        .values({ ...next, item_key: 'rating:new' })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(added.id).toBe(10); // the id sequence carried over
      await expect(
        store.db
          .insertInto('uplink_outbox')
          .values({ ...row(11, 99, 'pending'), item_key: 'rating:x' })
          .execute(),
      ).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await store.close();
    }
  });
});
