/**
 * A real build of the device runtime and the update launcher for the update suite, into a folder
 * of its own: the same transpile-each-file as scripts/build.ts (which always writes the shared
 * dist/, in use by other suites), limited to what device/main.ts and the launcher reach. The
 * folder is what a release carries: package.json (the version), package-lock.json, and
 * node_modules — here a link to the repository's, as a release without node_modules gets.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ENTRIES = ['device/main.ts', 'device/update/launcher-main.ts'];

/** Packages stay imports (node_modules has them); our own contract is followed, as in scripts/build.ts. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@hcp/contract') ? undefined : { path: args.path, external: true }));
  },
};

/** Build into `out` and stamp `version`; answers the number of modules written. */
export async function buildDeviceRuntime(out: string, version: string): Promise<number> {
  const graph = await build({
    entryPoints: ENTRIES.map((e) => join(ROOT, e)),
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(out, '.graph'),
    absWorkingDir: ROOT,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    plugins: [externalPackages],
  });
  const sources = Object.keys(graph.metafile.inputs).map((p) => resolve(ROOT, p));
  const outside = sources.filter((p) => relative(ROOT, p).startsWith('..'));
  if (outside.length) throw new Error(`the device build reaches outside the repository: ${outside.join(', ')}`);
  await build({ entryPoints: sources, outbase: ROOT, outdir: out, bundle: false, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  cpSync(join(ROOT, 'package-lock.json'), join(out, 'package-lock.json'));
  mkdirSync(out, { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return sources.length;
}

/** The kiosk page the local API serves (the built renderer of the repository). */
export const KIOSK_DIR = join(ROOT, 'electron-app', 'dist', 'renderer');
