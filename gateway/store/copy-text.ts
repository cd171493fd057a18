/**
 * PostgreSQL's COPY text format (the server's documentation, "COPY", File Formats): one line per
 * row, fields split by a tab, NULL written \N, and a backslash, tab, newline or carriage return
 * inside a value written as a backslash escape. Every other character, the UTF-8 of Chinese text
 * included, goes as it is.
 */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** What needs escaping; a value without any goes as it is (most do: a JSON body has none). */
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;

/** One field: a string or a number as its text, null or undefined as NULL. */
export function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  // A number's text has no character to escape.
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new TypeError(`COPY text takes strings and numbers, not ${typeof v}`);
  // Testing first is cheaper than a replace that finds nothing (it runs on every field of every
  // row of a group, on the ingest thread: PROFILE=1 scripts/bench/pg-backlog-probe.ts).
  return SPECIAL.test(v) ? v.replace(SPECIALS, (c) => ESCAPES[c]!) : v;
}

/** Rows of fields as COPY's text data, each line ended by a newline. */
export const copyLines = (rows: unknown[][]): string => rows.map((fields) => `${fields.map(copyField).join('\t')}\n`).join('');
