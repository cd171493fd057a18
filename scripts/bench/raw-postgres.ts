/**
 * The baseline "what the disk allows" on PostgreSQL (issue 14): the same table and rows, batched
 * straight into the server the gateway uses — one multi-row INSERT of BATCH rows per transaction,
 * a prepared statement (parsed and planned once), synchronous_commit as the server has it. The
 * gateway's own migrations make the table, in a fresh database of the same cluster.
 * Why not COPY: from node it needs pg-copy-streams, which the repository does not carry; COPY of
 * the same rows through psql (500 rows per COPY) measured 1.1–1.6× this, and the unprepared
 * multi-row INSERT (what Kysely sends) 0.75×.
 */
import pg from 'pg';
import type { ChainRecord } from '@hcp/contract';
import { CORE_PART_MIGRATIONS } from '../../gateway/migrations.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { BATCH } from './sim-devices.js';

const COLUMNS = ['id', 'device_id', 'epoch', 'seq', 'kind', 'hash', 'at', 'at_corrected', 'window_id', 'level', 'body', 'stored_at'] as const;

const rowValues = (r: ChainRecord): unknown[] => [r.id, r.deviceId, 1, r.seq, r.kind, r.hash, r.at, r.at, 'w-01', 5, JSON.stringify(r), r.at];

function insertText(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, i) => `(${COLUMNS.map((_c, j) => `$${i * COLUMNS.length + j + 1}`).join(', ')})`);
  return `INSERT INTO records (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
}

let databases = 0;

/**
 * Rows/s inserting `records` (already made and signed: their making is not timed) into a fresh,
 * migrated database on the cluster of `baseUrl` (postgres://user@host:port, no database), dropped afterwards.
 */
export async function rawPostgresInsert(baseUrl: string, records: ChainRecord[]): Promise<number> {
  const name = `hcp_bench_raw_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    const store = await openPostgresStore({ connectionString: `${baseUrl}/${name}`, poolSize: 1 });
    await migrateStore(store, CORE_PART_MIGRATIONS);
    await store.close();
    const db = new pg.Client({ connectionString: `${baseUrl}/${name}` });
    await db.connect();
    const texts = new Map<number, string>();
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += BATCH) {
      const rows = records.slice(i, i + BATCH);
      if (!texts.has(rows.length)) texts.set(rows.length, insertText(rows.length));
      await db.query('BEGIN');
      await db.query({ name: `raw-insert-${rows.length}`, text: texts.get(rows.length)!, values: rows.flatMap(rowValues) });
      await db.query('COMMIT');
    }
    const rate = records.length / ((performance.now() - t0) / 1000);
    await db.end();
    return rate;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
