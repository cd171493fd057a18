/**
 * The baseline "what the disk allows" on PostgreSQL (issue 14): the same table and rows, batched
 * straight into the server the gateway uses — one COPY of BATCH rows per transaction (as ingest
 * writes a device's batch, gateway/ingest/records-insert.ts), synchronous_commit as the server has
 * it. The gateway's own migrations make the table, in a fresh database of the same cluster.
 * `way` picks another way in: the prepared multi-row INSERT, which was the baseline until ingest
 * took COPY, and either in SERIALIZABLE (ingest's isolation); `npx tsx
 * scripts/bench/pg-raw-variants.ts` measures them side by side. The unprepared multi-row INSERT
 * (what Kysely sends) measured 0.75× the prepared one.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ChainRecord } from '@hcp/contract';
import { CORE_PART_MIGRATIONS } from '../../gateway/migrations.js';
import { copyLines } from '../../gateway/store/copy-text.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { BATCH } from './sim-devices.js';

const COLUMNS = ['id', 'device_id', 'epoch', 'seq', 'kind', 'hash', 'at', 'at_corrected', 'window_id', 'level', 'body', 'stored_at'] as const;

const rowValues = (r: ChainRecord): unknown[] => [r.id, r.deviceId, 1, r.seq, r.kind, r.hash, r.at, r.at, 'w-01', 5, JSON.stringify(r), r.at];

const copyData = (rows: ChainRecord[]): Buffer => copyLines(rows.map(rowValues));

function insertText(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, i) => `(${COLUMNS.map((_c, j) => `$${i * COLUMNS.length + j + 1}`).join(', ')})`);
  return `INSERT INTO records (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
}

/** How the rows go in: COPY (the baseline) or a prepared multi-row INSERT, in transactions of the given isolation. */
export interface RawWay {
  method: 'insert' | 'copy';
  isolation: 'read committed' | 'serializable';
  /** Rows per transaction: a device's batch (BATCH) unless given. */
  rowsPerCommit?: number;
  /**
   * COPY only: every transaction's data made before the clock starts, so that only the server's
   * side is timed (its parsing, storing and commits), not this client's making of the rows' text.
   */
  dataMadeFirst?: boolean;
  /**
   * How the database compares text, as CREATE DATABASE takes it (`LC_COLLATE 'zh_CN.UTF-8' LC_CTYPE
   * 'zh_CN.UTF-8'`, `LOCALE_PROVIDER icu ICU_LOCALE 'zh-CN'`): the C collation docs/POSTGRES.md asks
   * for unless given (pg-collation.ts measures what another costs).
   */
  databaseLocale?: string;
}

let databases = 0;

/**
 * Rows/s inserting `records` (already made and signed: their making is not timed) into a fresh,
 * migrated database on the cluster of `baseUrl` (postgres://user@host:port, no database), dropped afterwards.
 */
export async function rawPostgresInsert(baseUrl: string, records: ChainRecord[], way: RawWay = { method: 'copy', isolation: 'read committed' }): Promise<number> {
  if (way.dataMadeFirst && way.method !== 'copy') throw new Error('dataMadeFirst is a way of COPY only');
  const name = `hcp_bench_raw_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' ${way.databaseLocale ?? "LC_COLLATE 'C' LC_CTYPE 'C'"} TEMPLATE template0`);
    const store = await openPostgresStore({ connectionString: `${baseUrl}/${name}`, poolSize: 1, checkDatabase: way.databaseLocale === undefined });
    await migrateStore(store, CORE_PART_MIGRATIONS);
    await store.close();
    const db = new pg.Client({ connectionString: `${baseUrl}/${name}` });
    await db.connect();
    // Closed whatever happens: a client still open when its database is dropped below is cut off
    // by the server, and its error would end this process with that instead of the real one.
    try {
      const texts = new Map<number, string>();
      const perCommit = way.rowsPerCommit ?? BATCH;
      const made = way.dataMadeFirst ? Array.from({ length: Math.ceil(records.length / perCommit) }, (_, k) => copyData(records.slice(k * perCommit, (k + 1) * perCommit))) : [];
      const t0 = performance.now();
      for (let i = 0; i < records.length; i += perCommit) {
        const rows = records.slice(i, i + perCommit);
        await db.query(`BEGIN ISOLATION LEVEL ${way.isolation.toUpperCase()}`);
        if (way.method === 'copy') await pipeline(Readable.from([made[i / perCommit] ?? copyData(rows)]), db.query(copyFrom(`COPY records (${COLUMNS.join(', ')}) FROM STDIN`)));
        else {
          if (!texts.has(rows.length)) texts.set(rows.length, insertText(rows.length));
          await db.query({ name: `raw-insert-${rows.length}`, text: texts.get(rows.length)!, values: rows.flatMap(rowValues) });
        }
        await db.query('COMMIT');
      }
      const rate = records.length / ((performance.now() - t0) / 1000);
      // Every row in, each value as sent: a COPY line mis-escaped would fail or store another body.
      const check = await db.query('SELECT count(*) AS n, sum(length(body)) AS body FROM records');
      const bodies = records.reduce((n, r) => n + JSON.stringify(r).length, 0);
      if (Number(check.rows[0].n) !== records.length || Number(check.rows[0].body) !== bodies)
        throw new Error(`raw ${way.method}: ${check.rows[0].n} rows with ${check.rows[0].body} characters of body stored, ${records.length} with ${bodies} sent`);
      return rate;
    } finally {
      await db.end().catch(() => undefined);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
