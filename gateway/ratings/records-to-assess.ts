/**
 * The stored records the assessor turns into ledger rows next, read BEFORE the chunk's write
 * transaction, not inside it.
 *
 * On PostgreSQL every write transaction is SERIALIZABLE (postgres-store.ts), and what it reads
 * there is marked for the conflict checks. The assessor reads the newest records while devices are
 * sending, so ingest's next group inserts beside what the chunk read (same index page): a
 * read-write edge from the chunk to that group. The uplink and the follow-up opener read the
 * ledger's log the chunk then appends to: an edge into the chunk. A transaction with an edge in
 * and an edge out whose far end committed first is the pivot PostgreSQL cancels ("Canceled on
 * identification as a pivot"), and the whole chunk ran again: ten times in one device's backlog
 * (PUSHES=3 npx tsx scripts/bench/pg-backlog-probe.ts, its server log), more in the city.
 *
 * The read needs none of that protection. Records are never changed once stored, and a followed
 * log becomes visible in the order of its keys (gateway/store/log-order.ts): what a read after
 * `from` returns is the log's next rows, whenever it runs. What the chunk does need, that no other
 * assessor took these records meanwhile, it checks on the cursor it locks (assessor.ts).
 */
import type { ChainRecord } from '@hcp/contract';
import type { Db } from '../store/database.js';

export interface RecordRow {
  ingest_seq: number;
  device_id: string;
  epoch: number;
  body: string;
  at_corrected: string;
  clock_flag: string | null;
}

export interface RecordToAssess {
  row: RecordRow;
  rec: ChainRecord;
}

/** Up to `limit` records stored after ingest_seq `from`, in ingest order, each with its parsed body. */
export async function recordsToAssess(db: Db, from: number, limit: number): Promise<RecordToAssess[]> {
  const rows: RecordRow[] = await db
    .selectFrom('records')
    .select(['ingest_seq', 'device_id', 'epoch', 'body', 'at_corrected', 'clock_flag'])
    .where('ingest_seq', '>', from)
    .orderBy('ingest_seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ row, rec: JSON.parse(row.body) as ChainRecord }));
}
