/**
 * What a group commit reads and writes of the devices' chains, each in one statement for the whole
 * group, not one per batch (ingest-queue.ts). On PostgreSQL every statement is a round trip, and
 * each waits for the event loop: with a statement per batch a group's commit grew with its size,
 * a commit held up by a busy moment gathered a larger group behind it, which committed slower
 * still, and press→ack latency came in clusters (issue 14). With these a group costs the same
 * few round trips whatever its size. Plain SQL both stores accept: IN lists, and UPDATE … FROM
 * a VALUES list (SQLite 3.33+ and PostgreSQL name its columns column1, column2 …).
 */
import { sql } from 'kysely';
import type { Tx } from '../store/database.js';

export const GENESIS = '0'.repeat(64);

/** A device's enrolment in force and its chain's stored head in that epoch. */
export interface EpochHead {
  epoch: number;
  seq: number;
  hash: string;
  pem: string;
  fingerprint: string;
  retired: boolean;
  windowId: string | null;
}

/** A head a group moved, to be written at its end. */
export interface MovedHead {
  deviceId: string;
  epoch: number;
  seq: number;
  hash: string;
}

/** Rows per statement: well under either store's limit on bound parameters. */
const CHUNK = 500;

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

/** The heads of these devices' current epochs; a device not enrolled has none. */
export async function loadHeads(trx: Tx, deviceIds: string[]): Promise<Map<string, EpochHead>> {
  const heads = new Map<string, EpochHead>();
  for (const ids of chunks(deviceIds)) {
    const rows = await trx
      .selectFrom('devices as d')
      .innerJoin('device_epochs as e', (j) => j.onRef('e.device_id', '=', 'd.device_id').onRef('e.epoch', '=', 'd.current_epoch'))
      .select(['d.device_id', 'e.epoch', 'e.head_seq', 'e.head_hash', 'e.public_key_pem', 'e.key_fingerprint', 'd.retired', 'd.window_id'])
      .where('d.device_id', 'in', ids)
      .execute();
    for (const r of rows)
      heads.set(r.device_id, {
        epoch: r.epoch,
        seq: r.head_seq,
        hash: r.head_hash ?? GENESIS,
        pem: r.public_key_pem,
        fingerprint: r.key_fingerprint,
        retired: r.retired === 1,
        windowId: r.window_id,
      });
  }
  return heads;
}

/** Which of these record ids are already stored. */
export async function storedIdsAmong(trx: Tx, ids: string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const part of chunks(ids)) for (const r of await trx.selectFrom('records').select('id').where('id', 'in', part).execute()) stored.add(r.id);
  return stored;
}

/** Write the heads a group moved. */
export async function saveHeads(trx: Tx, heads: MovedHead[]): Promise<void> {
  for (const part of chunks(heads)) {
    // The casts type the VALUES list's columns: PostgreSQL takes a bare parameter there as text.
    const rows = sql.join(part.map((h) => sql`(${h.deviceId}, CAST(${h.epoch} AS INTEGER), CAST(${h.seq} AS INTEGER), ${h.hash})`));
    await sql`UPDATE device_epochs SET head_seq = v.column3, head_hash = v.column4
              FROM (VALUES ${rows}) AS v
              WHERE device_epochs.device_id = v.column1 AND device_epochs.epoch = v.column2`.execute(trx);
  }
}
