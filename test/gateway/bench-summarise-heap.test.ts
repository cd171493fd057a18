/**
 * docs/OPERATIONS.md, "Memory": `npx tsx scripts/bench/summarise-heap.ts <snapshot>` prints the
 * source text V8 keeps of each loaded script, by package. A real snapshot of a small node program
 * that loads one module of its own and one package (zod) shows both, with their sizes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

const dir = mkdtempSync(join(tmpdir(), 'summarise-heap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("prints a snapshot's heap by type, then its scripts' source text by package", () => {
  writeFileSync(join(dir, 'own.mjs'), `export const marker = ${JSON.stringify('x'.repeat(200_000))}.length;\n`);
  const program = [
    `const own = await import(${JSON.stringify(join(dir, 'own.mjs'))});`,
    `await import(${JSON.stringify(join(REPO_ROOT, 'node_modules/zod/index.js'))});`,
    "const { writeHeapSnapshot } = await import('node:v8');",
    `writeHeapSnapshot(${JSON.stringify(join(dir, 'probe.heapsnapshot'))});`,
    'console.log(own.marker);',
  ].join('\n');
  execFileSync(process.execPath, ['--input-type=module', '-e', program], { cwd: dir });
  expect(readdirSync(dir)).toContain('probe.heapsnapshot');
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/summarise-heap.ts'), join(dir, 'probe.heapsnapshot')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(out).toMatch(/^heap \d+\.\d MiB$/m);
  expect(out).toMatch(/^scripts' source text \d+\.\d MiB in \d+ scripts; by package \(top 15\):$/m);
  // own.mjs holds a 200,000-character string literal: at least 0.19 MiB of "this program"'s source.
  const own = /^\s*(\d+\.\d\d) MiB\s+(\d+)\s+\(this program\)$/m.exec(out);
  expect(Number(own?.[1])).toBeGreaterThanOrEqual(0.19);
  expect(out).toMatch(/^\s*\d+\.\d\d MiB\s+\d+\s+zod$/m);
}, 60_000);

it('ends quietly when the reader of its output goes first (piped into head)', async () => {
  // The snapshot of the test above; its reader's end of the pipe is closed before a line is written.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/summarise-heap.ts'), join(dir, 'probe.heapsnapshot')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  expect(stderr).toBe('');
  expect(code).toBe(0);
}, 60_000);
