/**
 * scripts/bench/pg-server-log.ts, serverLogSince: the PostgreSQL log that pg-backlog-probe.ts and
 * profile-latency.ts print after each round. Timed statements are grouped by text; any other line
 * is printed as it is, but cut when long: an error's STATEMENT line carries the whole statement,
 * and a group's insert of 64 rows is some 900 parameters, pages of output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { OTHER_LINE_CHARS, serverLogSince } from '../../scripts/bench/pg-server-log.js';

const dir = mkdtempSync(join(tmpdir(), 'hcp-server-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('groups timed statements by text and cuts a long error statement to a readable line', () => {
  const insert = `INSERT INTO assessments (a, b) VALUES ${Array.from({ length: 448 }, (_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`;
  const statementLine = `2026-12-06 05:00:00.201 UTC [12] STATEMENT:  ${insert}`;
  const file = join(dir, 'postgresql.log');
  writeFileSync(
    file,
    [
      '2026-12-06 05:00:00.001 UTC [11] LOG:  duration: 21.500 ms  execute s1: commit',
      '2026-12-06 05:00:00.101 UTC [11] LOG:  duration: 30.500 ms  execute s1: commit',
      '2026-12-06 05:00:00.201 UTC [12] ERROR:  could not serialize access due to read/write dependencies among transactions',
      statementLine,
      '2026-12-06 05:00:00.301 UTC [13] LOG:  checkpoint complete',
      '',
    ].join('\n'),
  );
  const out = serverLogSince(file, 0);
  expect(out).toMatch(/^\s+2 × 26\.00 ms avg, max 30\.5: commit$/m);
  expect(out).toContain('could not serialize access due to read/write dependencies among transactions');
  expect(out).toContain('LOG:  checkpoint complete');
  const statement = out.split('\n').find((l) => l.includes('STATEMENT:'))!;
  expect(statement).toBe(`${statementLine.slice(0, OTHER_LINE_CHARS)}… (${statementLine.length} characters)`);
  expect(statement.length).toBeLessThan(OTHER_LINE_CHARS + 30);
  expect(out).not.toContain('$896');
});
