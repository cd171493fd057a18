/** The baseline "what the disk allows" on SQLite: the same table and rows, batched straight into better-sqlite3 (WAL, synchronous=FULL, as the gateway). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { ChainRecord } from '@hcp/contract';
import { CORE_PART_MIGRATIONS } from '../../gateway/migrations.js';
import { openSqliteStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { BATCH } from './sim-devices.js';

/** Rows/s inserting `records` (already made and signed: their making is not timed) into a fresh, migrated database file. */
export async function rawSqliteInsert(records: ChainRecord[]): Promise<number> {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-raw-gw-')), 'raw.db');
  const store = openSqliteStore({ file });
  await migrateStore(store, CORE_PART_MIGRATIONS);
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const ins = db.prepare(
    'INSERT INTO records (id, device_id, epoch, seq, kind, hash, at, at_corrected, clock_offset_ms, clock_flag, window_id, level, body, stored_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)',
  );
  const insertBatch = db.transaction((rows: ChainRecord[]) => {
    for (const r of rows) ins.run(r.id, r.deviceId, r.seq, r.kind, r.hash, r.at, r.at, 'w-01', 5, JSON.stringify(r), r.at);
  });
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += BATCH) insertBatch(records.slice(i, i + BATCH));
  const rate = records.length / ((performance.now() - t0) / 1000);
  db.close();
  rmSync(dirname(file), { recursive: true, force: true });
  return rate;
}
