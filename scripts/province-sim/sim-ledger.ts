/**
 * What the simulated province holds, in SQLite: ratings keyed by case (projectNo) and assessNumber,
 * as a provincial 好差评 system keys them, so tests can see the errors that keying exposes
 * (issue 10, hole 2):
 *  - a case has one current rating per assessNumber: a second first rating is refused
 *    (`first-rating-exists`), as is a 追加评价 before the case's first rating (`no-first-rating`);
 *  - a correction replaces the current rating of its case and number; the replaced one is kept,
 *    marked replaced, as history;
 *  - an amendment (a 差评's late reasons and comment) is kept, and applied to its rating's
 *    evalDetail and writingEvaluation; one per rating;
 *  - any item seen before (by assessId) is answered `duplicate`, whatever became of it since;
 *  - a rectification record (one step of a 差评's follow-up) is kept by assessId and revision, each
 *    once (the same key again is `duplicate`); only for a rating it has (else `unknown-rating`). The
 *    newest revision of a rating says where its follow-up stands, and from those the province
 *    computes its own 差评回复率 and 回访整改率 (`rectificationRates`), which must equal the hall's.
 * A rating without a case (projectNo '') is keyed by its assessId alone.
 */
import Database from 'better-sqlite3';
import type { NationalAmendment, NationalCorrection, NationalRating, NationalRectification } from '../../gateway/uplink/provinces/reference/wire.js';
import { SimRectifications } from './sim-rectifications.js';
import { RequestLog } from './sim-requests.js';

export interface SimResult {
  status: 'accepted' | 'duplicate' | 'rejected';
  code?: string;
  reason?: string;
}

export interface StoredRating {
  n: number;
  assessId: string;
  projectNo: string;
  assessNumber: number;
  kind: 'rating' | 'correction';
  replaces: string | null;
  replacedBy: string | null;
  receivedAt: string;
  /** As received, with any amendment applied. */
  record: NationalRating;
}

export interface StoredAmendment {
  assessId: string;
  evalDetail: string;
  writingEvaluation: string;
  receivedAt: string;
}

export interface CaseView {
  projectNo: string;
  /** The case's current first rating. */
  first: StoredRating | null;
  /** Ratings replaced by corrections, oldest first. */
  history: StoredRating[];
  /** Current 追加评价 (assessNumber ≥ 2), by number. */
  followUps: StoredRating[];
  amendments: StoredAmendment[];
}

interface RatingRow {
  n: number;
  assess_id: string;
  project_no: string;
  assess_number: number;
  kind: 'rating' | 'correction';
  replaces: string | null;
  replaced_by: string | null;
  body: string;
  received_at: string;
}

const rejected = (code: string, reason: string): SimResult => ({ status: 'rejected', code, reason });

export class SimLedger {
  private readonly db: Database.Database;
  private readonly st;
  /** The follow-up records of its 差评 and the rates computed from them. */
  readonly followups: SimRectifications;
  /** The requests as they came, when the simulator keeps them. */
  readonly requests: RequestLog;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ratings (
        n INTEGER PRIMARY KEY AUTOINCREMENT, assess_id TEXT NOT NULL UNIQUE, project_no TEXT NOT NULL, assess_number INTEGER NOT NULL,
        kind TEXT NOT NULL, replaces TEXT, replaced_by TEXT, replaced_at TEXT, body TEXT NOT NULL, received_at TEXT NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS ratings_current ON ratings (project_no, assess_number) WHERE replaced_by IS NULL AND project_no <> '';
      CREATE TABLE IF NOT EXISTS amendments (
        n INTEGER PRIMARY KEY AUTOINCREMENT, assess_id TEXT NOT NULL UNIQUE, eval_detail TEXT NOT NULL, writing_evaluation TEXT NOT NULL,
        received_at TEXT NOT NULL);`);
    this.followups = new SimRectifications(this.db);
    this.requests = new RequestLog(this.db);
    const d = this.db;
    this.st = {
      insert: d.prepare('INSERT INTO ratings (assess_id, project_no, assess_number, kind, replaces, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      byId: d.prepare('SELECT * FROM ratings WHERE assess_id = ?'),
      seen: d.prepare('SELECT 1 FROM ratings WHERE assess_id = ?').pluck(),
      current: d.prepare('SELECT assess_id FROM ratings WHERE project_no = ? AND assess_number = ? AND replaced_by IS NULL').pluck(),
      replace: d.prepare('UPDATE ratings SET replaced_by = ?, replaced_at = ? WHERE assess_id = ? AND replaced_by IS NULL'),
      amendment: d.prepare('SELECT eval_detail, writing_evaluation FROM amendments WHERE assess_id = ?'),
      amend: d.prepare('INSERT INTO amendments (assess_id, eval_detail, writing_evaluation, received_at) VALUES (?, ?, ?, ?)'),
      setBody: d.prepare('UPDATE ratings SET body = ? WHERE assess_id = ?'),
    };
  }

  /** Run a request's records in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }

  rating(r: NationalRating, at: string): SimResult {
    if (r.projectNo !== '' && r.assessNumber > 1) {
      if (this.st.seen.get(r.assessId)) return { status: 'duplicate' };
      if (!this.st.current.get(r.projectNo, 1))
        return rejected('no-first-rating', `case ${r.projectNo} has no first rating: a 追加评价 (assessNumber ${r.assessNumber}) must follow it`);
    }
    if (this.st.insert.run(r.assessId, r.projectNo, r.assessNumber, 'rating', null, JSON.stringify(r), at).changes === 1) return { status: 'accepted' };
    if (this.st.seen.get(r.assessId)) return { status: 'duplicate' };
    const holder = this.st.current.get(r.projectNo, r.assessNumber) as string;
    return r.assessNumber === 1
      ? rejected('first-rating-exists', `case ${r.projectNo} already has its first rating (${holder}); a rating that replaces it is a correction`)
      : rejected('assess-number-taken', `case ${r.projectNo} already has rating number ${r.assessNumber} (${holder})`);
  }

  correction(c: NationalCorrection, at: string): SimResult {
    if (this.st.seen.get(c.assessId)) return { status: 'duplicate' };
    const old = this.st.byId.get(c.replaces) as RatingRow | undefined;
    if (!old) return rejected('unknown-rating', `no rating ${c.replaces} to correct`);
    if (old.replaced_by !== null) return rejected('already-replaced', `rating ${c.replaces} was already replaced by ${old.replaced_by}`);
    if (old.project_no !== c.projectNo || old.assess_number !== c.assessNumber) {
      return rejected(
        'correction-mismatch',
        `rating ${c.replaces} is case ${old.project_no} number ${old.assess_number}, the correction says ${c.projectNo} number ${c.assessNumber}`,
      );
    }
    const { replaces, ...record } = c;
    this.st.replace.run(c.assessId, at, replaces);
    this.st.insert.run(c.assessId, c.projectNo, c.assessNumber, 'correction', replaces, JSON.stringify(record), at);
    return { status: 'accepted' };
  }

  amendment(a: NationalAmendment, at: string): SimResult {
    const r = this.st.byId.get(a.assessId) as RatingRow | undefined;
    if (!r) return rejected('unknown-rating', `no rating ${a.assessId} to amend`);
    const had = this.st.amendment.get(a.assessId) as { eval_detail: string; writing_evaluation: string } | undefined;
    if (had) {
      if (had.eval_detail === a.evalDetail && had.writing_evaluation === a.writingEvaluation) return { status: 'duplicate' };
      return rejected('already-amended', `rating ${a.assessId} was already amended with other details`);
    }
    this.st.amend.run(a.assessId, a.evalDetail, a.writingEvaluation, at);
    this.st.setBody.run(JSON.stringify({ ...JSON.parse(r.body), evalDetail: a.evalDetail, writingEvaluation: a.writingEvaluation }), a.assessId);
    return { status: 'accepted' };
  }

  /** One step of a 差评's follow-up, for a rating it has (sim-rectifications.ts). */
  rectification(r: NationalRectification, at: string): SimResult {
    if (!this.st.byId.get(r.assessId)) return rejected('unknown-rating', `no rating ${r.assessId} to keep a follow-up record for`);
    return this.followups.take(r, at);
  }

  /** The case a rating belongs to ('' without one), or null if the province has no such rating. */
  projectOf(assessId: string): string | null {
    return (this.st.byId.get(assessId) as RatingRow | undefined)?.project_no ?? null;
  }

  /** Every rating stored (replaced ones too), in arrival order. */
  stored(after = 0, limit = 1000): StoredRating[] {
    return (this.db.prepare('SELECT * FROM ratings WHERE n > ? ORDER BY n LIMIT ?').all(after, limit) as RatingRow[]).map(view);
  }

  caseView(projectNo: string): CaseView {
    const rows = (this.db.prepare('SELECT * FROM ratings WHERE project_no = ? ORDER BY n').all(projectNo) as RatingRow[]).map(view);
    const amendments = this.db
      .prepare(
        'SELECT a.assess_id, a.eval_detail, a.writing_evaluation, a.received_at FROM amendments a JOIN ratings r ON r.assess_id = a.assess_id WHERE r.project_no = ? ORDER BY a.n',
      )
      .all(projectNo) as Array<{ assess_id: string; eval_detail: string; writing_evaluation: string; received_at: string }>;
    return {
      projectNo,
      first: rows.find((r) => r.assessNumber === 1 && r.replacedBy === null) ?? null,
      history: rows.filter((r) => r.replacedBy !== null),
      followUps: rows.filter((r) => r.assessNumber > 1 && r.replacedBy === null).sort((a, b) => a.assessNumber - b.assessNumber),
      amendments: amendments.map((a) => ({ assessId: a.assess_id, evalDetail: a.eval_detail, writingEvaluation: a.writing_evaluation, receivedAt: a.received_at })),
    };
  }

  counts(): { stored: number; current: number; firstRatings: number; followUps: number; corrections: number; replaced: number; amendments: number } {
    return this.db
      .prepare(`SELECT count(*) AS stored,
          count(*) FILTER (WHERE replaced_by IS NULL) AS current,
          count(*) FILTER (WHERE replaced_by IS NULL AND assess_number = 1) AS firstRatings,
          count(*) FILTER (WHERE replaced_by IS NULL AND assess_number > 1) AS followUps,
          count(*) FILTER (WHERE kind = 'correction') AS corrections,
          count(*) FILTER (WHERE replaced_by IS NOT NULL) AS replaced,
          (SELECT count(*) FROM amendments) AS amendments
        FROM ratings`)
      .get() as ReturnType<SimLedger['counts']>;
  }
}

function view(r: RatingRow): StoredRating {
  return {
    n: r.n,
    assessId: r.assess_id,
    projectNo: r.project_no,
    assessNumber: r.assess_number,
    kind: r.kind,
    replaces: r.replaces,
    replacedBy: r.replaced_by,
    receivedAt: r.received_at,
    record: JSON.parse(r.body) as NationalRating,
  };
}
