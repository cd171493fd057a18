/**
 * docs/POSTGRES.md ("Config") gives `npx tsx scripts/bench/pg-collation.ts` for what a database that
 * compares text by a language costs the server's COPY. One small round runs it here, so the command
 * keeps working and prints what the page says it prints: its baseline (the C collation) and ICU's
 * zh-CN with its ratio; glibc's zh_CN.UTF-8 too where the machine has that locale, or how to make it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

it('runs one small round of the collation bench and prints each database beside the C baseline', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/pg-collation.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ROUNDS: '1', ROWS: '1200', BENCH_QUIET_WAIT_S: '0' },
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^1,200 rows of one device by COPY, the data made first, 1 round, rows\/s per round:$/m);
  expect(run.stdout).toMatch(/^ {2}C \(the baseline: what docs\/POSTGRES\.md asks for\): [\d,]+ — median [\d,]+$/m);
  expect(run.stdout).toMatch(/^ {2}ICU's zh-CN: [\d,]+ — median [\d,]+ \| ratio to the baseline [\d.]+× \([\d.]+–[\d.]+ over 1 round\)$/m);
  // glibc's locale is the machine's: measured where it exists, else the bench says how to make it.
  expect(run.stdout).toMatch(
    /^( {2}glibc's zh_CN\.UTF-8: [\d,]+ — median [\d,]+ \| ratio to the baseline [\d.]+× |glibc's zh_CN\.UTF-8 is not on this machine \(locale -a\): as root, localedef -i zh_CN -f UTF-8 zh_CN\.UTF-8 makes it$)/m,
  );
});
