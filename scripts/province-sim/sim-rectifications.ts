/**
 * What the simulated province keeps of the follow-ups of its 差评 (wire.ts NationalRectification):
 * every step record once, keyed by assessId and revision — the same key again is `duplicate`, which
 * is what makes a resend after a lost answer harmless — and, from the newest record of each rating,
 * its own 差评回复率 and 回访整改率. Shares the ledger's database; the ledger checks the rating exists.
 */
import type Database from 'better-sqlite3';
import type { NationalRectification } from '../../gateway/uplink/provinces/reference/wire.js';
import type { SimResult } from './sim-ledger.js';

export interface StoredRectification {
  n: number;
  receivedAt: string;
  record: NationalRectification;
}

/** Which 差评 the rates are over (China dates of assessTime, both included) and the time they are read at (China time). */
export interface RateScope {
  from?: string;
  to?: string;
  cutoff?: string;
}

export interface RectificationRates {
  /** Counted 差评: current (not replaced by a correction), not written off. */
  bad: number;
  replied: number;
  rectifiedAndCalledBack: number;
  /** 差评回复率; null with no 差评. */
  replyRate: number | null;
  /** 回访整改率; null with no 差评. */
  callBackRectifyRate: number | null;
}

export class SimRectifications {
  private readonly insert: Database.Statement;

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS rectifications (
      n INTEGER PRIMARY KEY AUTOINCREMENT, assess_id TEXT NOT NULL, revision INTEGER NOT NULL, step TEXT NOT NULL, body TEXT NOT NULL,
      received_at TEXT NOT NULL, UNIQUE (assess_id, revision))`);
    this.insert = db.prepare('INSERT INTO rectifications (assess_id, revision, step, body, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  }

  take(r: NationalRectification, at: string): SimResult {
    return this.insert.run(r.assessId, r.revision, r.stepType, JSON.stringify(r), at).changes === 1 ? { status: 'accepted' } : { status: 'duplicate' };
  }

  /** Every record kept, in arrival order. */
  all(): StoredRectification[] {
    const rows = this.db.prepare('SELECT n, received_at, body FROM rectifications ORDER BY n').all() as Array<{ n: number; received_at: string; body: string }>;
    return rows.map((r) => ({ n: r.n, receivedAt: r.received_at, record: JSON.parse(r.body) as NationalRectification }));
  }

  /**
   * The province's 差评回复率 and 回访整改率 (docs/NATIONAL-SPEC.md "After the rating: the measures"),
   * from what it holds: its current 差评 (satisfaction 1–2, not replaced by a correction) rated in
   * [from, to], less those written off (`isValid` 0); each read from the newest record of its
   * follow-up as it stood at `cutoff`: replied = a reply by then; rectified and called back = both
   * by then. A 差评 with no record yet counts, as neither.
   */
  rates(scope: RateScope = {}): RectificationRates {
    const rows = this.db
      .prepare(
        `SELECT f.body AS followup FROM ratings r
          LEFT JOIN rectifications f ON f.assess_id = r.assess_id
            AND f.revision = (SELECT max(g.revision) FROM rectifications g WHERE g.assess_id = r.assess_id)
          WHERE r.replaced_by IS NULL AND json_extract(r.body, '$.satisfaction') <= 2
            AND substr(json_extract(r.body, '$.assessTime'), 1, 10) BETWEEN ? AND ?`,
      )
      .all(scope.from ?? '0000-00-00', scope.to ?? '9999-99-99') as Array<{ followup: string | null }>;
    const cutoff = scope.cutoff ?? '9999-99-99 99:99:99';
    const by = (t: string) => t !== '' && t <= cutoff;
    let bad = 0;
    let replied = 0;
    let both = 0;
    for (const row of rows) {
      const f = row.followup ? (JSON.parse(row.followup) as NationalRectification) : null;
      if (f?.isValid === 0) continue;
      bad++;
      if (f?.isReply === 1 && by(f.replyTime)) replied++;
      if (f?.isVisit === 1 && by(f.rectifyTime) && by(f.visitTime)) both++;
    }
    return { bad, replied, rectifiedAndCalledBack: both, replyRate: bad ? replied / bad : null, callBackRectifyRate: bad ? both / bad : null };
  }
}
