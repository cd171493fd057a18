/**
 * scripts/bench/built-gateway.ts builds the gateway into a temp folder for each bench run; the
 * folder goes when the bench's process exits (each left behind was some 4 MiB in /tmp).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

it('removes the built gateway when the process that built it exits', () => {
  const program = [
    `const { buildGatewayForBench } = await import(${JSON.stringify(join(REPO_ROOT, 'scripts/bench/built-gateway.ts'))});`,
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
