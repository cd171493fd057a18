/**
 * docs/VILLAGE.md gives `npx tsx scripts/bench/village-link.ts` for a village backlog over a slow
 * link. The bench takes minutes; here one small round runs it, so the command keeps working and
 * prints what the docs say it prints.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

it('runs one small round of the village link bench and prints its figures, its baseline and the ratio', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/village-link.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ROUNDS: '1', LINKS: '2048:200', BENCH_QUIET_WAIT_S: '0' },
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(
    /^2,048 kbit\/s, 200 records \(\d+ kB\): stored and acknowledged in [\d.]+ s \([\d.]+\) \| the same bytes raw over the link [\d.]+ s \| time ratio [\d.]+× /m,
  );
  expect(run.stdout).toMatch(/^ {2}bytes up [\d.]+× the records' \([\d.]+\) \| connections 1$/m);
});

it('refuses a link it cannot read, naming LINKS', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/village-link.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LINKS: '64kbit' },
  });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain('LINKS takes kbit/s:records pairs, such as 64:500, not 64kbit');
});
