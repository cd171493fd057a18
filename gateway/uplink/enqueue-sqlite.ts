/**
 * The enqueuer's SQLite fast path (enqueue.ts): its three hot statements, prepared once and used only
 * inside the enqueue step's write transaction, which holds the one connection (GatewayStore.sqlite).
 * PostgreSQL runs the same steps through Kysely. Measured with `npm run bench:uplink` (issue 10).
 */
import type Database from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { UplinkOutboxTable } from '../store/tables.js';
import { LEDGER_COLUMNS, type LedgerRow } from './items.js';

/** The outbox row insert as newRow() fills it, for SQLite's fast path (`ON CONFLICT DO NOTHING`: idempotent on the item key). */
const OUTBOX_COLUMNS: readonly (keyof Insertable<UplinkOutboxTable>)[] = [
  'item_key',
  'kind',
  'assess_id',
  'case_no',
  'order_key',
  'lane',
  'at',
  'after_id',
  'replaceable',
  'payload',
  'state',
  'last_error',
  'enqueued_at',
  'sent_at',
];
/**
 * The fast path's insert, bound by position: binding by name cost a quarter of the insert (the
 * insert was a third of the enqueue in the bench:uplink profile). One row per statement: a
 * multi-row INSERT was barely faster and, since a CHECK may abort it midway, wrote a statement
 * journal of several hundred MB to a temp file per 100,000 rows.
 */
const FAST_INSERT_SQL = `INSERT INTO uplink_outbox (${OUTBOX_COLUMNS.join(', ')}) VALUES (${OUTBOX_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (item_key) DO NOTHING`;

/**
 * The fast path's read of a chunk's ledger rows: by position, ids as one JSON array. better-sqlite3's
 * row objects (19 columns) cost more than the lookup itself; arrays made into a literal of fixed
 * shape (ledgerRowOf) take ~40% off the read, which was a fifth of the enqueue (bench:uplink profile).
 */
const FAST_LEDGER_SQL = `SELECT ${LEDGER_COLUMNS.join(', ')} FROM assessments WHERE assess_id IN (SELECT value FROM json_each(?))`;

type LedgerTuple = { -readonly [I in keyof typeof LEDGER_COLUMNS]: (typeof LEDGER_COLUMNS)[I] extends keyof LedgerRow ? LedgerRow[(typeof LEDGER_COLUMNS)[I]] : never };

/** A row of FAST_LEDGER_SQL (LEDGER_COLUMNS' order) as the row Kysely would have read. */
function ledgerRowOf(v: unknown[]): LedgerRow {
  const r = v as unknown as LedgerTuple;
  return {
    assess_id: r[0],
    channel: r[1],
    device_id: r[2],
    case_no: r[3],
    assess_number: r[4],
    level: r[5],
    pressed_at: r[6],
    clock_flag: r[7],
    window_number: r[8],
    department: r[9],
    staff_id: r[10],
    item_code: r[11],
    item_name: r[12],
    is_default: r[13],
    replaces: r[14],
    reasons: r[15],
    comment: r[16],
    details_at: r[17],
    created_at: r[18],
  };
}

// The literal above must follow LEDGER_COLUMNS: read the column names themselves through it.
for (const [column, value] of Object.entries(ledgerRowOf([...LEDGER_COLUMNS]))) {
  if (column !== value) throw new Error(`ledgerRowOf reads ${column} from the position of ${String(value)}`);
}

/**
 * The fast path's read of the ledger's change log after the cursor, by position: Kysely built this
 * query and an object per entry for every chunk of 2,000.
 */
const FAST_LOG_SQL = 'SELECT seq, assess_id, change FROM assessment_log WHERE seq > ? ORDER BY seq LIMIT ?';

/** An entry of the ratings ledger's change log. */
export interface LogEntry {
  seq: number;
  assess_id: string;
  change: string;
}

/** SQLite's hand-tuned statements (same connection, used only inside the step's transaction). */
export interface FastStatements {
  /** Up to `limit` log entries after `after`, in seq order. */
  log: (after: number, limit: number) => LogEntry[];
  /** One outbox row, its values by outboxValues(). */
  insert: Database.Statement;
  /** The ledger rows of these assessments (any order; unknown ids are absent). */
  ledger: (assessIds: string[]) => LedgerRow[];
}

export function fastStatements(sqlite: Database.Database): FastStatements {
  const ledger = sqlite.prepare(FAST_LEDGER_SQL).raw(true);
  const log = sqlite.prepare(FAST_LOG_SQL).raw(true);
  return {
    log: (after, limit) => (log.all(after, limit) as [number, string, string][]).map(([seq, assess_id, change]) => ({ seq, assess_id, change })),
    insert: sqlite.prepare(FAST_INSERT_SQL),
    ledger: (ids) => (ledger.all(JSON.stringify(ids)) as unknown[][]).map(ledgerRowOf),
  };
}

/** The row's values in FAST_INSERT_SQL's order. */
export function outboxValues(r: Insertable<UplinkOutboxTable>): unknown[] {
  return OUTBOX_COLUMNS.map((c) => r[c]);
}
