/**
 * Ingest's records insert on PostgreSQL. A group of COPY_FROM_ROWS records or more (a device's
 * batch, a backlog) goes by COPY. A smaller one (a press, a few) goes in multi-row INSERTs of a
 * few fixed sizes, each sent as a named prepared statement (GatewayStore.keepPrepared). Built by
 * Kysely, every group's insert was a new 200-row, 2,800-parameter statement for the gateway to
 * compile and for the server to parse and plan; a prepared one is parsed and planned once per
 * connection, and its text is made once here. (bench:gateway's raw insert is a COPY of the same
 * batches, scripts/bench/raw-postgres.ts.)
 */
import { type CopyData, copyLines } from '../store/copy-text.js';
import { rowsInNext, valuesTuples } from '../store/statement-texts.js';
import type { CheckedRecord } from './batch-check.js';

/**
 * One batch's new records as its group stores them, with what is the same for all of them kept
 * once: a row object per record (14 fields) made an eighth of what the ingest thread allocated in a
 * 500-device burst, for the insert to read once and drop (issue 14, HCP_PROFILE=allocated
 * scripts/bench/profile-ingest.ts).
 */
export interface RecordRun {
  deviceId: string;
  epoch: number;
  /** The window a record other than a rating is stored under: its device's. */
  deviceWindowId: string | null;
  storedAt: string;
  records: CheckedRecord[];
}

/** A record's window: a rating names its own. */
export const windowOf = (run: RecordRun, r: CheckedRecord): string | null => (r.kind === 'rating' ? r.windowId : run.deviceWindowId);

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

/** A record's parameters, in RECORD_COLUMNS' order. */
export const recordValues = (run: RecordRun, r: CheckedRecord): unknown[] => [
  r.id,
  run.deviceId,
  run.epoch,
  r.seq,
  r.kind,
  r.hash,
  r.at,
  r.atCorrected,
  r.clockOffsetMs,
  r.clockFlag,
  windowOf(run, r),
  r.level,
  r.body,
  run.storedAt,
];

/** Every record of `runs`, each as its parameters. */
export const runsValues = (runs: RecordRun[]): unknown[][] => runs.flatMap((run) => run.records.map((r) => recordValues(run, r)));

/**
 * Rows in the next insert, `left` still to insert (statement-texts.ts): at most 10 sizes (20
 * texts, each in both forms) are ever prepared on a connection, whatever the batches' sizes, and a
 * batch of a device's largest (500) or default (200) size is one statement.
 */
export const insertRows = (left: number): number => rowsInNext(left);

const texts = new Map<string, string>();

/**
 * The INSERT of `rows` records ($1 … $14·rows), made once per size and form. `skipStoredIds`:
 * a row whose id is stored already is left out (`ON CONFLICT (id) DO NOTHING`) instead of
 * failing the statement, so that ingest sees it by the count of rows inserted (ingest-queue.ts,
 * IdAlreadyStored).
 */
export function recordsInsertText(rows: number, skipStoredIds: boolean): string {
  const key = `${rows}${skipStoredIds ? '/skip' : ''}`;
  let text = texts.get(key);
  if (!text) {
    text = `INSERT INTO records (${RECORD_COLUMNS.join(', ')}) VALUES ${valuesTuples(rows, RECORD_COLUMNS.length)}${skipStoredIds ? ' ON CONFLICT (id) DO NOTHING' : ''}`;
    texts.set(key, text);
  }
  return text;
}

/**
 * From this many rows a group's records go in by COPY instead (one statement for all of them, no
 * size to split into). COPY costs a round trip more (the server's answer to COPY comes before the
 * rows go), which a press's one-row group would feel and a device's 500-row batch does not; of the
 * same 500-row batches the server takes COPY's faster (`npx tsx scripts/bench/pg-raw-variants.ts`).
 */
export const COPY_FROM_ROWS = 64;

/** The records COPY, whose one parameter is `recordsCopyData` (postgres-store.ts runs it as a COPY). */
export const RECORDS_COPY = `COPY records (${RECORD_COLUMNS.join(', ')}) FROM STDIN`;

/** The group's records as COPY's text data, in RECORD_COLUMNS' order; into `data` when given (copy-text.ts, CopyData.reset). */
export const recordsCopyData = (runs: RecordRun[], data?: CopyData): Buffer => copyLines(runsValues(runs), data);
