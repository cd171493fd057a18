/**
 * The version of the installed device software: the `version` of the package.json at the root the
 * program runs from. A release stamps it there (scripts/make-release.ts), so a device reports the
 * release it really runs, and the update launcher can tell versions apart (docs/UPDATE.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version in `<root>/package.json`, or `unknown` when it cannot be read (never a crash at start). */
export function readInstalledVersion(root: string): string {
  try {
    const v = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' && v.length > 0 && v.length <= 40 ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}
