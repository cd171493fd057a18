/**
 * The gateway as hall IT runs it — plain JavaScript under `node`, no tsx (scripts/build.ts) — for
 * the benches' memory figures: under tsx the same program holds some 50 MiB more (the compiler
 * and the source maps of every module). Built into a temp folder of its own; its node_modules
 * are links to the repository's packages, with @hcp/contract pointing at the built contract, as
 * `npm ci --omit=dev` would lay them out.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExit } from 'signal-exit';
import { REPO_ROOT } from '../lib/device-process.js';
import { buildDist } from '../build.js';

/**
 * Returns the path of the built gateway/main.js. `sourceRoot`: build another checkout of the
 * repository instead (an A/B against an older commit, scripts/bench/code-ab.ts), with its own
 * scripts/build.ts and this checkout's node_modules. The folder is removed when the process
 * exits, or is ended by a signal (a bench stopped with Ctrl-C): every run builds anew, and each
 * folder left behind was some 4 MiB in /tmp.
 */
export async function buildGatewayForBench(sourceRoot?: string): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-built-'));
  // signal-exit: 'exit' handlers do not run when a signal ends the process; its onExit does.
  onExit(() => rmSync(folder, { recursive: true, force: true }));
  const out = join(folder, 'hcp');
  const build: typeof buildDist = sourceRoot ? ((await import(join(sourceRoot, 'scripts', 'build.ts'))) as { buildDist: typeof buildDist }).buildDist : buildDist;
  await build({ outDir: out, assets: false });
  linkModules(out);
  return join(out, 'gateway', 'main.js');
}

/** `root`/node_modules: links to this checkout's packages, but `root`'s own contract (the workspace package @hcp/contract). */
export function linkModules(root: string): void {
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, '@hcp'), { recursive: true });
  for (const name of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (name !== '@hcp') symlinkSync(join(REPO_ROOT, 'node_modules', name), join(modules, name));
  }
  symlinkSync(join(root, 'device', 'contract'), join(modules, '@hcp', 'contract'));
}

/**
 * `commit` checked out into a temporary git worktree, with this checkout's packages linked in
 * (linkModules): the older side of an A/B (code-ab.ts, after-load-rss.ts). `remove()` takes the
 * worktree away again; so does the process's end, signal or not, if the bench never got there.
 */
export function checkoutForBench(commit: string, label: string): { root: string; remove(): void } {
  const root = join(mkdtempSync(join(tmpdir(), `${label}-`)), 'base');
  execFileSync('git', ['-C', REPO_ROOT, 'worktree', 'add', '--detach', root, commit], { stdio: 'ignore' });
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    execFileSync('git', ['-C', REPO_ROOT, 'worktree', 'remove', '--force', root], { stdio: 'ignore' });
    rmSync(join(root, '..'), { recursive: true, force: true });
  };
  onExit(remove);
  linkModules(root);
  return { root, remove };
}
