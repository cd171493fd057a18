/**
 * docs/POSTGRES.md gives each try that was measured and not kept as a diff (docs/tries/) to apply
 * to the file as it was on the commit it was measured on: each diff changes that one file, docs
 * give the command that applies it, and it applies there, so its figures can be measured again as
 * the page says.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/device-process.js';

const TRIES = [
  { diff: 'docs/tries/pipelined-groups.diff', on: '27332d8', file: 'gateway/ingest/ingest-queue.ts' },
  { diff: 'docs/tries/shared-buffers.diff', on: '0e43b2e', file: 'test/support/pg-cluster.ts' },
  { diff: 'docs/tries/load-at-nice-10.diff', on: '0e43b2e', file: 'scripts/bench/pg-backlog-probe.ts' },
  { diff: 'docs/tries/check-thread-young-48.diff', on: 'bdde2b0', file: 'gateway/threads/worker-entry.ts' },
  { diff: 'docs/tries/begin-with-first-statement.diff', on: '3f70eb0', file: 'gateway/store/postgres-store.ts' },
  { diff: 'docs/tries/device-batches-unchecked.diff', on: '8fa7ce1', file: 'gateway/ingest/ingest-queue.ts' },
];

it.each(TRIES)('$diff applies to $file on $on, as docs/POSTGRES.md says', ({ diff, on, file }) => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/POSTGRES.md'), 'utf8').replace(/\s+/g, ' ');
  expect(doc).toContain(`git checkout ${on} -- ${file} && git apply ${diff}`);
  const text = readFileSync(join(REPO_ROOT, diff), 'utf8');
  expect([...text.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((m) => m[1])).toEqual([file]);
  const tree = mkdtempSync(join(tmpdir(), 'hcp-try-'));
  try {
    mkdirSync(join(tree, dirname(file)), { recursive: true });
    writeFileSync(join(tree, file), execFileSync('git', ['show', `${on}:${file}`], { cwd: REPO_ROOT }));
    // Outside a repository, git apply works on the files as they are; it throws if a hunk does not apply.
    execFileSync('git', ['apply', '--check', join(REPO_ROOT, diff)], { cwd: tree });
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
