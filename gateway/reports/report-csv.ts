/**
 * A report as CSV (UTF-8 with a BOM, so Excel reads the Chinese; RFC 4180 quoting): the heading
 * and definitions first, then each table of report-tables.ts under its title, a blank line between.
 * A rate takes three columns — numerator, denominator, value as a fraction (4 decimals; "—" when
 * the denominator is 0, "n/a" when it does not apply) — so a spreadsheet can recompute it.
 */
import type { ReportContent } from './report-content.js';
import { reportNotes, reportTables, type Cell } from './report-tables.js';
import type { SnapshotMeta } from './snapshots.js';

/** One field: quoted when needed; text Excel would run as a formula gets a leading apostrophe (numbers never do). */
function field(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
const line = (fields: Array<string | number | null>) => `${fields.map(field).join(',')}\r\n`;

function cells(c: Cell, rateColumn: boolean): Array<string | number | null> {
  if (c === null || typeof c !== 'object') return rateColumn ? [null, null, c] : [c];
  const m = c.rate;
  if (m === null) return ['n/a', 'n/a', 'n/a'];
  return [m.num, m.den, m.value === null ? '—' : Number(m.value.toFixed(4))];
}

export function reportCsv(content: ReportContent, meta: SnapshotMeta): string {
  const notes = reportNotes(content, meta);
  let out = `\uFEFF${line([notes.title])}`;
  for (const [k, v] of notes.facts) out += line([k, v]);
  out += '\r\n' + line(['定义']);
  for (const [k, v] of notes.definitions) out += line([k, v]);
  out += '\r\n' + line(['统计规则']);
  for (const r of notes.rules) out += line([r]);
  for (const t of reportTables(content)) {
    out += '\r\n' + line([t.title]);
    out += line(t.columns.flatMap((c) => (c.kind === 'rate' ? [`${c.header}·分子`, `${c.header}·分母`, c.header] : [c.header])));
    for (const r of t.rows) out += line(r.flatMap((c, i) => cells(c, t.columns[i]?.kind === 'rate')));
  }
  return out;
}
