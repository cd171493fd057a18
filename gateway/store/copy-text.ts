/**
 * PostgreSQL's COPY text format (the server's documentation, "COPY", File Formats): one line per
 * row, fields split by a tab, NULL written \N, and a backslash, tab, newline or carriage return
 * inside a value written as a backslash escape. Every other character, the UTF-8 of Chinese text
 * included, goes as it is.
 */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field: a string or a number as its text, null or undefined as NULL. */
export function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v !== 'string' && typeof v !== 'number') throw new TypeError(`COPY text takes strings and numbers, not ${typeof v}`);
  return String(v).replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!);
}

/** Rows of fields as COPY's text data, each line ended by a newline. */
export const copyLines = (rows: unknown[][]): string => rows.map((fields) => `${fields.map(copyField).join('\t')}\n`).join('');
