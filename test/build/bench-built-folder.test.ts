/**
 * scripts/bench/built-gateway.ts builds the gateway into a temp folder for each bench run, and an
 * A/B checks the older commit out into a git worktree; both go when the bench's process ends,
 * whether it exits or is stopped with Ctrl-C (each built folder left behind was some 4 MiB in
 * /tmp; a worktree left behind is a whole checkout, and `git worktree list` keeps naming it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

const MODULE = JSON.stringify(join(REPO_ROOT, 'scripts/bench/built-gateway.ts'));

it('removes the built gateway when the process that built it exits', () => {
  const program = [
    `const { buildGatewayForBench } = await import(${MODULE});`,
    'const { existsSync } = await import("node:fs");',
    'const main = await buildGatewayForBench();',
    'console.log(JSON.stringify({ main, there: existsSync(main) }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: REPO_ROOT, encoding: 'utf8' });
  const { main, there } = JSON.parse(out.trim().split('\n').at(-1)!) as { main: string; there: boolean };
  expect(there).toBe(true);
  expect(main).toMatch(/\/bench-built-\w+\/hcp\/gateway\/main\.js$/);
  expect(existsSync(join(main, '..', '..', '..'))).toBe(false);
}, 120_000);

/** Runs `setup` (which prints a JSON line of paths) in a child, stops it with SIGINT once printed, and returns the paths and how it ended. */
async function interrupted(setup: string[]): Promise<{ paths: Record<string, string>; signal: NodeJS.Signals | null }> {
  const program = [...setup, 'setInterval(() => undefined, 1000);'].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const paths = await new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Record<string, string>);
    });
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before it printed its paths: ${out}`)));
  });
  const ended = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  child.kill('SIGINT');
  return { paths, signal: await ended };
}

it('removes the built gateway when the bench is stopped with Ctrl-C (SIGINT), and still ends by that signal', async () => {
  const { paths, signal } = await interrupted([
    `const { buildGatewayForBench } = await import(${MODULE});`,
    'console.log(JSON.stringify({ main: await buildGatewayForBench() }));',
  ]);
  expect(paths.main).toMatch(/\/bench-built-\w+\/hcp\/gateway\/main\.js$/);
  expect(signal).toBe('SIGINT');
  expect(existsSync(join(paths.main!, '..', '..', '..'))).toBe(false);
}, 120_000);

it("removes an A/B's worktree of the older commit when the bench is stopped with Ctrl-C (SIGINT)", async () => {
  const { paths, signal } = await interrupted([
    `const { checkoutForBench } = await import(${MODULE});`,
    'console.log(JSON.stringify({ root: checkoutForBench("HEAD", "bench-folder-test").root }));',
  ]);
  expect(paths.root).toMatch(/\/bench-folder-test-\w+\/base$/);
  expect(signal).toBe('SIGINT');
  expect(existsSync(join(paths.root!, '..'))).toBe(false);
  expect(execFileSync('git', ['-C', REPO_ROOT, 'worktree', 'list'], { encoding: 'utf8' })).not.toContain(paths.root);
}, 120_000);
