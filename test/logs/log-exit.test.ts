/**
 * The last lines before a program exits reach its log file (device/log/logger.ts and
 * gateway/log/logger.ts, endLog). The JSON destinations write asynchronously; the programs called
 * pino's flush() and exited, and pino's exit hook writes out only buffers whose write has not
 * started (sonic-boom's flushSync skips the one in flight): CI saw a device's "stopping" missing
 * from its HCP_LOG_FILE once. endLog ends the stream and waits for it to close. Here the file is
 * opened, written, the thread pool busy at the last line, and the program exits at once after
 * endLog: every line is there. (The loss itself did not happen here on demand: this shows endLog's
 * promise, not the old race.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'support', 'log-exit-child.ts');

function run(which: 'device' | 'gateway'): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'hcp-log-exit-')), 'program.log');
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, which, file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
}

describe.each(['device', 'gateway'] as const)("the %s's log at exit", (which) => {
  it('holds every line written before the exit, the last one too', () => {
    const lines = run(which);
    expect(lines).toHaveLength(2_001);
    expect(lines.at(-1)).toBe('last line before the exit');
  });
});
