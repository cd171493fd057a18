/**
 * Issue 15, "Build": `npm ci --omit=dev` installs `dependencies` only, so the build refuses
 * production code that imports anything else. firmata-io is the case that was found: the panel
 * imports it, and it was only there as a package of a package (now in dependencies).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { reachedSources } from '../../scripts/build.js';

const { dependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('the production build', () => {
  it('reaches the programs, the panel worker and the shared contract, and no test', async () => {
    const sources = (await reachedSources(dependencies)).map((f) => f.slice(REPO_ROOT.length + 1));
    expect(sources).toEqual(
      expect.arrayContaining(['gateway/main.ts', 'device/main.ts', 'device/hardware/panel/panel-worker.ts', 'device/contract/index.ts', 'scripts/province-sim.ts']),
    );
    // Loaded by dynamic import() only when the config has the section.
    expect(sources).toEqual(expect.arrayContaining(['device/sync/index.ts', 'device/hardware/index.ts']));
    expect(sources.filter((f) => f.endsWith('.test.ts') || f.startsWith('test/'))).toEqual([]);
  });

  it('fails when production code imports a package that is not in dependencies', async () => {
    const { 'firmata-io': _firmata, ...without } = dependencies;
    await expect(reachedSources(without)).rejects.toThrow(/firmata-io is imported by production code .*but is not in package.json "dependencies"/);
  });
});
