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

/**
 * COPY's text data written line by line into bytes, as they are sent. Joined into one string first,
 * a group's 500 lines of a kilobyte each cost seven times as long to make and encode as written
 * here (a string of that size is a large allocation of its own, and then encoded again as a
 * whole), on the thread that ingests.
 */
export class CopyData {
  private buf: Buffer;
  private used = 0;

  /** `sizeHint`: the bytes expected; the buffer grows past it if need be. */
  constructor(sizeHint: number) {
    this.buf = Buffer.allocUnsafe(Math.max(sizeHint, 1024));
  }

  /** One row, its fields already as copyField makes them, ended by a newline. */
  line(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4): `write`
    // would cut a text that did not fit, so there is always room for the most it can be.
    const most = text.length * 3;
    if (this.buf.length - this.used < most) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + most));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  /** The data so far (a view: valid until the next line or `reset`). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.used);
  }

  /**
   * Start again from no data, in the same bytes: only once what `bytes` gave has been sent and the
   * server has answered for it (its COPY has completed). A buffer grown past `keepAtMost` bytes is
   * let go, so that one large group does not keep its memory for good.
   */
  reset(keepAtMost: number): void {
    this.used = 0;
    if (this.buf.length > keepAtMost) this.buf = Buffer.allocUnsafe(keepAtMost);
  }
}

/** Rows of fields as COPY's text data, each line ended by a newline; into `data` when given (empty: CopyData.reset). */
export function copyLines(rows: unknown[][], data = new CopyData(rows.length * 256)): Buffer {
  for (const fields of rows) data.line(`${fields.map(copyField).join('\t')}\n`);
  return data.bytes();
}
