/**
 * Writing to the hall's ledger of ratings (`assessments`, tables.ts), whatever the channel. Every
 * change is also an entry in `assessment_log`, in the same transaction: the uplink and the
 * console follow that log, so they see each change once and in order.
 */
import type Database from 'better-sqlite3';
import type { GatewayStore, Tx } from '../store/database.js';
import { lockLogForAppend } from '../store/log-order.js';
import { rowsInNext, TextsByRows, valuesTuples } from '../store/statement-texts.js';
import type { AssessmentsTable } from '../store/tables.js';

export type NewAssessment = Omit<AssessmentsTable, 'seq' | 'china_date' | 'superseded_by' | 'created_at'>;

/** The calendar date in China (UTC+8, no DST) of an instant. */
export function chinaDateOf(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
}

export async function logChange(trx: Tx, assessId: string, change: 'created' | 'details' | 'superseded', at: string): Promise<void> {
  await lockLogForAppend(trx, 'assessment_log');
  await trx.insertInto('assessment_log').values({ assess_id: assessId, change, at }).execute();
}

export async function insertAssessment(trx: Tx, a: NewAssessment, now: string): Promise<void> {
  await trx
    .insertInto('assessments')
    .values({ ...a, china_date: chinaDateOf(a.pressed_at), superseded_by: null, created_at: now })
    .execute();
  await logChange(trx, a.assess_id, 'created', now);
}

/**
 * Writes to the ledger gathered over one step and made in a few multi-row statements (the assessor
 * turns thousands of records a second into assessments; one statement per row would hold the
 * store's only connection away from ingest). Log entries keep their order. Anything that reads the
 * ledger must `flush()` first.
 */
export class LedgerWrites {
  private rows: Array<NewAssessment & { china_date: string; superseded_by: null; created_at: string }> = [];
  private readonly byId = new Map<string, NewAssessment>();
  private log: Array<{ assess_id: string; change: string; at: string }> = [];

  constructor(
    private readonly trx: Tx,
    private readonly now: string,
    private readonly fast: LedgerStatements | null = null,
    /** PostgreSQL: keep the inserts' texts prepared (GatewayStore.keepPrepared). */
    private readonly keepPrepared?: (text: string) => void,
  ) {}

  add(a: NewAssessment): void {
    const row = { ...a, china_date: chinaDateOf(a.pressed_at), superseded_by: null, created_at: this.now };
    this.rows.push(row);
    this.byId.set(a.assess_id, row);
    this.log.push({ assess_id: a.assess_id, change: 'created', at: this.now });
  }

  /** An assessment added in this step and not yet written, to complete before it is. */
  pending(assessId: string): NewAssessment | undefined {
    return this.byId.get(assessId);
  }

  logChange(assessId: string, change: 'details' | 'superseded'): void {
    this.log.push({ assess_id: assessId, change, at: this.now });
  }

  async flush(): Promise<void> {
    const rows = this.rows;
    const log = this.log;
    this.rows = [];
    this.log = [];
    this.byId.clear();
    if (this.fast) {
      for (const r of rows) this.fast.assessment.run(r);
      for (const l of log) this.fast.log.run(l);
      return;
    }
    // Texts made once per size (statement-texts.ts): Kysely's builder compiled each step's anew.
    for (let i = 0; i < rows.length; ) {
      const part = rows.slice(i, i + rowsInNext(rows.length - i, 50));
      i += part.length;
      await assessmentTexts.run(
        this.trx,
        part.length,
        part.flatMap((r) => ASSESSMENT_COLUMNS.map((c) => r[c])),
        this.keepPrepared,
      );
    }
    if (log.length > 0) await lockLogForAppend(this.trx, 'assessment_log');
    for (let i = 0; i < log.length; ) {
      const part = log.slice(i, i + rowsInNext(log.length - i, 200));
      i += part.length;
      await logTexts.run(
        this.trx,
        part.length,
        part.flatMap((l) => [l.assess_id, l.change, l.at]),
        this.keepPrepared,
      );
    }
  }
}

/** SQLite's hand-tuned form of the two ledger inserts (run inside `store.write`, on its connection). */
export interface LedgerStatements {
  assessment: Database.Statement;
  log: Database.Statement;
}

const ASSESSMENT_COLUMNS = [
  'assess_id',
  'source',
  'channel',
  'record_id',
  'device_id',
  'case_no',
  'assess_number',
  'level',
  'pressed_at',
  'china_date',
  'clock_flag',
  'window_id',
  'window_number',
  'department',
  'department_id',
  'staff_id',
  'item_code',
  'item_name',
  'catalogue_version',
  'is_default',
  'replaces',
  'superseded_by',
  'reasons',
  'comment',
  'contact_record_id',
  'details_at',
  'flags',
  'created_at',
] as const;

/** PostgreSQL's multi-row inserts, one text per size (rowsInNext: at most 10 of each, so all kept). */
const assessmentTexts = new TextsByRows((n) => `INSERT INTO assessments (${ASSESSMENT_COLUMNS.join(', ')}) VALUES ${valuesTuples(n, ASSESSMENT_COLUMNS.length)}`, 500);
const logTexts = new TextsByRows((n) => `INSERT INTO assessment_log (assess_id, change, at) VALUES ${valuesTuples(n, 3)}`, 500);

export function ledgerStatements(store: GatewayStore): LedgerStatements | null {
  const raw = store.sqlite;
  if (!raw) return null;
  return {
    assessment: raw.prepare(`INSERT INTO assessments (${ASSESSMENT_COLUMNS.join(', ')}) VALUES (${ASSESSMENT_COLUMNS.map((c) => `@${c}`).join(', ')})`),
    log: raw.prepare('INSERT INTO assessment_log (assess_id, change, at) VALUES (@assess_id, @change, @at)'),
  };
}

/** The highest live assessment number of a case (0 if none). */
export async function lastAssessNumber(trx: Tx, caseNo: string): Promise<number> {
  const r = await trx
    .selectFrom('assessments')
    .select((eb) => eb.fn.max('assess_number').as('n'))
    .where('case_no', '=', caseNo)
    .where('superseded_by', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
