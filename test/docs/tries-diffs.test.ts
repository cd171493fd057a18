/**
 * docs/POSTGRES.md gives the groups-pipelined try as a diff to apply to the file as it was on the
 * commit it was measured on (docs/tries/pipelined-groups.diff, ingest-queue.ts at 27332d8): the
 * diff applies there, so its figures can be measured again as the paragraph says.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/device-process.js';

const DIFF = 'docs/tries/pipelined-groups.diff';
const ON = '27332d8';

it(`${DIFF} applies on ${ON}, as docs/POSTGRES.md says`, () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/POSTGRES.md'), 'utf8').replace(/\s+/g, ' ');
  expect(doc).toContain(`git checkout ${ON} -- gateway/ingest/ingest-queue.ts && git apply ${DIFF}`);
  const diff = readFileSync(join(REPO_ROOT, DIFF), 'utf8');
  const files = [...diff.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((m) => m[1]!);
  expect(files).toEqual(['gateway/ingest/ingest-queue.ts']);
  const tree = mkdtempSync(join(tmpdir(), 'hcp-try-'));
  try {
    for (const f of files) {
      mkdirSync(join(tree, dirname(f)), { recursive: true });
      writeFileSync(join(tree, f), execFileSync('git', ['show', `${ON}:${f}`], { cwd: REPO_ROOT }));
    }
    // Outside a repository, git apply works on the files as they are; it throws if a hunk does not apply.
    execFileSync('git', ['apply', '--check', join(REPO_ROOT, DIFF)], { cwd: tree });
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
