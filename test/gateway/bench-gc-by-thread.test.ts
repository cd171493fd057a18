/**
 * docs/POSTGRES.md: `npx tsx scripts/bench/gc-by-thread.ts 500` gives, for a burst into the built
 * gateway run as the unit runs it, the main thread's young-heap collections (their pauses, what
 * survived them, what they promoted) and its full collections, from V8's GC trace. A small real
 * burst (2 devices, 10 batches of 500 each) shows the lines it prints.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

it("prints the burst's rate, the CPU by thread and the main thread's collections", () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/gc-by-thread.ts'), '2', '10000'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(out).toMatch(/^2 devices, 10000 ratings in \d+\.\d\d s \(\d+ ratings\/s\)$/m);
  expect(out).toMatch(/^CPU by thread, s: .*\bmain \d+\.\d\d/m);
  const main = /^main thread: (\d+) scavenges, \d+\.\d\d s paused, \d+ MiB survived, \d+ MiB promoted; \d+ full collections, \d+\.\d\d s paused$/m.exec(out);
  expect(main, out).not.toBeNull();
  // 10,000 ratings (some 7 MB of batches) cannot pass through the main thread without a young-heap collection.
  expect(Number(main![1])).toBeGreaterThan(0);
}, 180_000);
