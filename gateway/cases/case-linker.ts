/**
 * Marks a case rated when a rating naming it (invitation.caseNo) is stored. Runs on its own
 * cursor over `records`, advanced in the same transaction as the updates.
 */
import type Database from 'better-sqlite3';

export class CaseLinker {
  private readonly st;

  constructor(private readonly db: Database.Database) {
    this.st = {
      cursor: db.prepare("SELECT ingest_seq FROM cases_cursor WHERE name = 'records'").pluck(),
      setCursor: db.prepare("UPDATE cases_cursor SET ingest_seq = ? WHERE name = 'records'"),
      next: db.prepare("SELECT ingest_seq, id, at, json_extract(body, '$.invitation.caseNo') AS case_no FROM records WHERE ingest_seq > ? AND kind = 'rating' ORDER BY ingest_seq LIMIT 5000"),
      last: db.prepare('SELECT max(ingest_seq) FROM records').pluck(),
      rate: db.prepare("UPDATE cases SET state = 'rated', rating_id = ?, rated_at = ? WHERE case_no = ? AND state IN ('invited', 'expired')"),
    };
  }

  /** Link everything stored so far; call inside or outside a transaction. */
  link(): number {
    return this.db.transaction(() => {
      let linked = 0;
      for (;;) {
        const from = this.st.cursor.get() as number;
        const rows = this.st.next.all(from) as Array<{ ingest_seq: number; id: string; at: string; case_no: string | null }>;
        if (rows.length === 0) {
          // Skip past trailing detail records so the next scan starts late.
          const last = (this.st.last.get() as number | null) ?? 0;
          if (last > from) this.st.setCursor.run(last);
          return linked;
        }
        for (const r of rows) if (r.case_no) linked += this.st.rate.run(r.id, r.at, r.case_no).changes;
        this.st.setCursor.run(rows[rows.length - 1]!.ingest_seq);
      }
    }).immediate();
  }
}
