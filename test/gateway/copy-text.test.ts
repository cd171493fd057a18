/**
 * COPY's text format (gateway/store/copy-text.ts) on PostgreSQL itself: values with every
 * character the format escapes, NULL, numbers and Chinese text go in by COPY and come back as they
 * were sent. Runs where the PostgreSQL suites run (test:pg); a unit case checks the escapes alone.
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect, it } from 'vitest';
import { CopyData, copyField, copyLines } from '../../gateway/store/copy-text.js';
import { testDatabaseUrl, testStoreIsPostgres } from '../support/pg-cluster.js';

it('escapes a backslash, tab, newline and carriage return, writes null as \\N and leaves the rest', () => {
  expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  expect(copyField(null)).toBe('\\N');
  expect(copyField(undefined)).toBe('\\N');
  expect(copyField(-12)).toBe('-12');
  expect(copyField('税务局 {"x":"\\u0000"}')).toBe('税务局 {"x":"\\\\u0000"}');
  expect(
    copyLines([
      [1, 'a'],
      [2, null],
    ]).toString('utf8'),
  ).toBe('1\ta\n2\t\\N\n');
  expect(() => copyField({})).toThrow(/strings and numbers, not object/);
});

it('writes every line whole as UTF-8, growing past its size hint however wide the characters are', () => {
  const lines = ['a\n', `${'评'.repeat(700)}\n`, `${'𝄞'.repeat(400)}\t\\N\n`, `${'x'.repeat(5000)}\n`, '税\n'];
  const data = new CopyData(16);
  for (const l of lines) data.line(l);
  expect(data.bytes().equals(Buffer.from(lines.join(''), 'utf8'))).toBe(true);
});

it('writes the next group into the same bytes after a reset, and lets bytes grown past the cap go', () => {
  // Over 4 kB, so that no buffer comes from Node's shared pool of small ones.
  const cap = 8192;
  const data = new CopyData(cap);
  const first = copyLines([[1, 'a']], data);
  data.reset(cap);
  const second = copyLines([[2, 'bb']], data);
  expect(second.toString()).toBe('2\tbb\n');
  // The same memory, not a new buffer: the first view now reads the second group's bytes.
  expect(second.buffer).toBe(first.buffer);
  expect(first.toString()).toBe('2\tbb');
  data.reset(cap);
  const wide = copyLines([['x'.repeat(20_000)]], data);
  expect(wide.length).toBe(20_001);
  data.reset(cap);
  const after = copyLines([[3, 'c']], data);
  expect(after.toString()).toBe('3\tc\n');
  expect(after.buffer).not.toBe(wide.buffer);
  expect(after.buffer.byteLength).toBe(cap);
});

it.runIf(testStoreIsPostgres())('brings every value back from PostgreSQL as it was sent', async () => {
  const client = new pg.Client({ connectionString: await testDatabaseUrl(`copy-text-${process.pid}`) });
  await client.connect();
  try {
    await client.query('CREATE TEMP TABLE t (n INTEGER, s TEXT)');
    const rows: unknown[][] = [
      [1, 'back\\slash \\N \\t'],
      [2, 'tab\there\nnew line\r\nend'],
      [3, null],
      [null, '评价 "JSON": {"a":"b\\n"}'],
      [5, ''],
    ];
    await pipeline(Readable.from([copyLines(rows)]), client.query(copyFrom('COPY t (n, s) FROM STDIN')));
    const back = await client.query<{ n: number | null; s: string | null }>('SELECT n, s FROM t ORDER BY n NULLS LAST');
    expect(back.rows.map((r) => [r.n, r.s])).toEqual(rows.slice(0, 3).concat([rows[4]!, rows[3]!]));
  } finally {
    await client.end();
  }
});
