/**
 * The demo hall's data folder: `.demo/` in the repository, or `HCP_DEMO_DIR` (a test runs its own
 * demo in a temporary folder while a person's demo keeps `.demo/`). It is wiped at each start, so a
 * folder that holds anything but an earlier demo is refused rather than emptied.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

const MARKER = '.hcp-demo';

export function prepareDemoDir(repoRoot: string, fromEnv: string | undefined): string {
  const dir = resolve(fromEnv || join(repoRoot, '.demo'));
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER)) && dir !== join(repoRoot, '.demo')) {
    throw new Error(`HCP_DEMO_DIR=${dir} holds files that are not an earlier demo's; the demo wipes its folder at start, so give it an empty or new one`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'the hcp demo hall wipes this folder at each start\n');
  return dir;
}

/** A path as a person would type it from here: relative inside the working folder, absolute outside. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
