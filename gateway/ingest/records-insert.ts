/**
 * Ingest's records insert on PostgreSQL: multi-row INSERTs of a few fixed sizes, each sent as a
 * named prepared statement (GatewayStore.keepPrepared). Built by Kysely, every group's insert was
 * a new 200-row, 2,800-parameter statement for the gateway to compile and for the server to parse
 * and plan; a prepared one is parsed and planned once per connection, and its text is made once
 * here. (The raw insert bench:gateway compares against is prepared the same way.)
 */
import type { Insertable } from 'kysely';
import type { GatewayTables } from '../store/tables.js';

type RecordRow = Insertable<GatewayTables['records']>;

/** The columns ingest writes, in the order of `recordValues` (SQLite's prepared insert uses them too). */
export const RECORD_COLUMNS = [
  'id',
  'device_id',
  'epoch',
  'seq',
  'kind',
  'hash',
  'at',
  'at_corrected',
  'clock_offset_ms',
  'clock_flag',
  'window_id',
  'level',
  'body',
  'stored_at',
] as const;

/** A row's parameters, in RECORD_COLUMNS' order. */
export const recordValues = (r: RecordRow): unknown[] => [
  r.id,
  r.device_id,
  r.epoch,
  r.seq,
  r.kind,
  r.hash,
  r.at,
  r.at_corrected,
  r.clock_offset_ms,
  r.clock_flag,
  r.window_id,
  r.level,
  r.body,
  r.stored_at,
];

/** The sizes of insert there are: a device's largest batch, its default one, then powers of two. */
const SIZES = [500, 200, 128, 64, 32, 16, 8, 4, 2, 1] as const;

/**
 * Rows in the next insert, `left` still to insert: the largest size that fits, so that at most 10
 * texts are ever prepared on a connection, whatever the batches' sizes, and a batch of a device's
 * largest (500) or default (200) size is one statement.
 */
export const insertRows = (left: number): number => SIZES.find((n) => n <= left)!;

const texts = new Map<number, string>();

/** The INSERT of `rows` records ($1 … $14·rows), made once per size. */
export function recordsInsertText(rows: number): string {
  let text = texts.get(rows);
  if (!text) {
    const tuples = Array.from({ length: rows }, (_, r) => `(${RECORD_COLUMNS.map((_c, c) => `$${r * RECORD_COLUMNS.length + c + 1}`).join(', ')})`);
    texts.set(rows, (text = `INSERT INTO records (${RECORD_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`));
  }
  return text;
}
