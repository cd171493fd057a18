/**
 * What a group commit reads and writes of the devices' chains, each in one statement for the whole
 * group, not one per batch (ingest-queue.ts). On PostgreSQL every statement is a round trip, and
 * each waits for the event loop: with a statement per batch a group's commit grew with its size,
 * a commit held up by a busy moment gathered a larger group behind it, which committed slower
 * still, and press→ack latency came in clusters (issue 14). With these a group costs the same
 * few round trips whatever its size. Plain SQL both stores accept: IN lists, and UPDATE … FROM
 * a VALUES list (SQLite 3.33+ and PostgreSQL name its columns column1, column2 …).
 *
 * SQLite has no round trips: there the same reads and writes are statements prepared once and run
 * per device (`HeadStatements`). Built anew for every group, the Kysely query was the largest
 * allocation of a press's commit — 14 % of the gateway's allocation at 200 presses/s, about 14 kB
 * a press (issue 14, scripts/bench/profile-latency.ts with ALLOCATED=1): the young heap filled
 * sooner, more of it outlived its collections, and the full collections that stall acks came sooner.
 * On PostgreSQL the texts are made once per count of devices (statement-texts.ts) for the same reason.
 */
import type Database from 'better-sqlite3';
import { TextsByRows, valuesTuples } from '../store/statement-texts.js';
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

interface HeadRow {
  device_id: string;
  epoch: number;
  head_seq: number;
  head_hash: string | null;
  public_key_pem: string;
  key_fingerprint: string;
  retired: number;
  window_id: string | null;
}

const headOf = (r: HeadRow): EpochHead => ({
  epoch: r.epoch,
  seq: r.head_seq,
  hash: r.head_hash ?? GENESIS,
  pem: r.public_key_pem,
  fingerprint: r.key_fingerprint,
  retired: r.retired === 1,
  windowId: r.window_id,
});

/** SQLite's prepared form of loadHeads and saveHeads (run inside `store.write`, on its connection). */
export interface HeadStatements {
  head: Database.Statement<[string], HeadRow>;
  save: Database.Statement<[number, string, string, number]>;
}

/** The heads' query up to its WHERE's right-hand side: `= ?` on SQLite, an IN list on PostgreSQL. */
const HEADS_WHERE_ID = `SELECT d.device_id, e.epoch, e.head_seq, e.head_hash, e.public_key_pem, e.key_fingerprint, d.retired, d.window_id
                        FROM devices d JOIN device_epochs e ON e.device_id = d.device_id AND e.epoch = d.current_epoch
                        WHERE d.device_id`;

export function headStatements(raw: Database.Database): HeadStatements {
  return {
    head: raw.prepare(`${HEADS_WHERE_ID} = ?`),
    save: raw.prepare('UPDATE device_epochs SET head_seq = ?, head_hash = ? WHERE device_id = ? AND epoch = ?'),
  };
}

/** PostgreSQL's texts, one per count of devices (statement-texts.ts says why not Kysely's builder). */
const headsTexts = new TextsByRows((n) => `${HEADS_WHERE_ID} IN ${valuesTuples(1, n)}`);
// The casts type the VALUES list's columns: PostgreSQL takes a bare parameter there as text.
const saveTexts = new TextsByRows(
  (n) => `UPDATE device_epochs SET head_seq = v.column3, head_hash = v.column4
          FROM (VALUES ${valuesTuples(n, 4, [null, 'INTEGER', 'INTEGER', null])}) AS v
          WHERE device_epochs.device_id = v.column1 AND device_epochs.epoch = v.column2`,
);

/**
 * The heads of these devices' current epochs; a device not enrolled has none. `fast`: SQLite's
 * prepared statements; `keepPrepared`: PostgreSQL's (GatewayStore.keepPrepared).
 */
export async function loadHeads(trx: Tx, deviceIds: string[], fast: HeadStatements | null = null, keepPrepared?: (text: string) => void): Promise<Map<string, EpochHead>> {
  const heads = new Map<string, EpochHead>();
  if (fast) {
    for (const id of deviceIds) {
      const r = fast.head.get(id);
      if (r) heads.set(id, headOf(r));
    }
    return heads;
  }
  for (const ids of chunks(deviceIds)) {
    for (const r of (await headsTexts.run<HeadRow>(trx, ids.length, ids, keepPrepared)).rows) heads.set(r.device_id, headOf(r));
  }
  return heads;
}

/** Which of these record ids are already stored. */
export async function storedIdsAmong(trx: Tx, ids: string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const part of chunks(ids)) for (const r of await trx.selectFrom('records').select('id').where('id', 'in', part).execute()) stored.add(r.id);
  return stored;
}

/** Write the heads a group moved. `fast`: SQLite's prepared statements; `keepPrepared`: PostgreSQL's. */
export async function saveHeads(trx: Tx, heads: MovedHead[], fast: HeadStatements | null = null, keepPrepared?: (text: string) => void): Promise<void> {
  if (fast) {
    for (const h of heads) fast.save.run(h.seq, h.hash, h.deviceId, h.epoch);
    return;
  }
  for (const part of chunks(heads)) {
    await saveTexts.run(
      trx,
      part.length,
      part.flatMap((h) => [h.deviceId, h.epoch, h.seq, h.hash]),
      keepPrepared,
    );
  }
}
