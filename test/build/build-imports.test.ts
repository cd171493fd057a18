/**
 * Issue 15, "Build": `npm ci --omit=dev` installs `dependencies` only, so the build refuses
 * production code that imports anything else. firmata-io is the case that was found: the panel
 * imports it, and it was only there as a package of a package (now in dependencies).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { reachedSources, sourceLocations } from '../../scripts/build.js';

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

describe("the gateway bundle's import.meta.url (scripts/build.ts, sourceLocations)", () => {
  /** Bundles `files` (name → source; the first is the entry) as if the output were `outFile` beside them. */
  async function bundle(files: Record<string, string>, outFile: string): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'build-test-'));
    try {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      const rel = relative(REPO_ROOT, dir);
      const r = await build({
        entryPoints: [join(dir, Object.keys(files)[0]!)],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'node',
        logLevel: 'silent',
        plugins: [sourceLocations(join(rel, outFile))],
      });
      return r.outputFiles[0]!.text;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("gives each module the URL of its own built file, relative to the bundle's", async () => {
    const out = await bundle(
      {
        'main.ts': "import { here } from './http/static.ts';\nexport const main = import.meta.url;\nexport { here };",
        'http/static.ts': "export const here = new URL('../console/dist', import.meta.url);",
      },
      'main.js',
    );
    expect(out).toContain('new URL("./main.js", import.meta.url).href');
    expect(out).toContain('new URL("./http/static.js", import.meta.url).href');
    expect(out).not.toMatch(/import\.meta\.url\)(?!\.href)/);
  });

  it('refuses import.meta.dirname and import.meta.filename, which it does not rewrite, naming the file', async () => {
    await expect(bundle({ 'main.ts': 'export const d = import.meta.dirname;' }, 'main.js')).rejects.toThrow(/main\.ts uses import\.meta\.dirname, which a bundle does not rewrite/);
  });
});
