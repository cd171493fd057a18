/**
 * Reading the audit log for the auditor: filtered by China dates, actor and action, paged by id,
 * and as CSV (RFC 4180, with a UTF-8 byte order mark so that Excel shows Chinese as Chinese).
 */
import type { Db } from '../store/database.js';

export interface AuditFilter {
  /** China dates (UTC+8), both included. */
  from?: string | undefined;
  to?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: unknown;
  remote: string | null;
}

/** The first instant of a China date, as the log's ISO UTC text. */
const chinaDayStart = (date: string, plusDays = 0) => new Date(Date.parse(`${date}T00:00:00+08:00`) + plusDays * 86_400_000).toISOString();

/** Entries after `afterId`, oldest first. */
export async function auditPage(db: Db, f: AuditFilter, afterId: number, limit: number): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit);
  if (f.from) q = q.where('at', '>=', chinaDayStart(f.from));
  if (f.to) q = q.where('at', '<', chinaDayStart(f.to, 1));
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.action) q = q.where('action', '=', f.action);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    detail: r.detail ? (JSON.parse(r.detail) as unknown) : null,
    remote: r.remote,
  }));
}

const CSV_COLUMNS = ['id', 'time (UTC+8)', 'at (UTC)', 'actor', 'action', 'subject', 'detail', 'remote'];

/**
 * One CSV field (RFC 4180 §2): quoted when it holds a comma, a quote or a line break, quotes
 * doubled. A field Excel would run as a formula (=, +, -, @, tab, CR first: an actor is whatever
 * name someone typed at the login) gets a leading apostrophe, so opening the file runs nothing.
 */
export function csvField(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvLine = (fields: Array<string | number | null>) => `${fields.map(csvField).join(',')}\r\n`;

/** The whole filtered log as CSV text chunks (BOM and header first), read a page at a time. */
export async function* auditCsv(db: Db, f: AuditFilter, pageSize = 1000): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(CSV_COLUMNS)}`;
  for (let after = 0; ; ) {
    const rows = await auditPage(db, f, after, pageSize);
    if (rows.length === 0) return;
    yield rows
      .map((r) =>
        csvLine([
          r.id,
          new Date(Date.parse(r.at) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' '),
          r.at,
          r.actor,
          r.action,
          r.subject,
          r.detail === null ? null : JSON.stringify(r.detail),
          r.remote,
        ]),
      )
      .join('');
    after = rows[rows.length - 1]!.id;
  }
}
