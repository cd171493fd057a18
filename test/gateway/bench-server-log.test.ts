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
import { OTHER_LINE_CHARS, serverLogSince, serverStallsText } from '../../scripts/bench/pg-server-log.js';

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

it("counts, for bench:gateway's latency figure, the server's slow COMMITs and other statements, lock waits, autovacuum and analyze runs and checkpoints", () => {
  const file = join(dir, 'stalls.log');
  const before = '2026-12-07 11:00:00.000 UTC [9] LOG:  duration: 99.000 ms  execute s1: commit\n';
  writeFileSync(
    file,
    [
      before.trimEnd(),
      '2026-12-07 11:09:17.100 UTC [11] LOG:  duration: 12.400 ms  execute s1: commit',
      '2026-12-07 11:09:17.200 UTC [11] LOG:  duration: 20.800 ms  statement: COMMIT',
      '2026-12-07 11:09:17.300 UTC [11] LOG:  duration: 15.000 ms  execute s2: COPY records (id) FROM STDIN',
      '2026-12-07 11:09:17.400 UTC [12] LOG:  process 12 still waiting for ExclusiveLock on relation 16390 of database 16384 after 5.104 ms',
      '2026-12-07 11:09:17.410 UTC [12] LOG:  duration: 11.200 ms  statement: LOCK TABLE turn_records IN EXCLUSIVE MODE',
      '2026-12-07 11:09:17.726 UTC [6110] LOG:  automatic vacuum of table "hcp.public.assessment_log": index scans: 0',
      '2026-12-07 11:09:18.123 UTC [6110] LOG:  automatic analyze of table "hcp.public.assessment_log"',
      '2026-12-07 11:09:19.120 UTC [6110] LOG:  automatic vacuum of table "hcp.public.devices": index scans: 1',
      '2026-12-07 11:09:20.000 UTC [5] LOG:  checkpoint starting: time',
      '2026-12-07 11:09:29.000 UTC [5] LOG:  checkpoint complete: wrote 3 buffers (0.0%)',
      '',
    ].join('\n'),
  );
  // From the end of the first line: the COMMIT of 99 ms came before the rounds.
  expect(serverStallsText(file, Buffer.byteLength(before), 10)).toBe(
    'COMMITs over 10 ms: 2 (the longest 20.8 ms); other statements over 10 ms: 2 (the longest 15.0 ms), lock waits logged: 1; autovacuum runs: 2, analyze runs: 1; checkpoints begun: 1',
  );
  writeFileSync(join(dir, 'quiet.log'), '');
  expect(serverStallsText(join(dir, 'quiet.log'), 0, 10)).toBe(
    'COMMITs over 10 ms: 0; other statements over 10 ms: 0, lock waits logged: 0; autovacuum runs: 0, analyze runs: 0; checkpoints begun: 0',
  );
});
