/**
 * `npm run build` (after the console and the kiosk are built): the production programs as plain
 * JavaScript in dist/, a folder that runs with `npm ci --omit=dev` and `node` alone (no tsx):
 *
 *   dist/gateway/main.js              serve | create-admin | create-business-key | make-tls
 *   dist/device/main.js               the device runtime (+ device/cli/verify.js, device/cli/panel-check.js)
 *   dist/scripts/province-sim.js      the provincial simulator
 *   dist/electron-app/main/pin-hash.js   the kiosk exit PIN's hash
 *   dist/electron-app/dist/           the kiosk renderer (served by the device) and the Electron shell
 *   dist/gateway/console/dist/        the console (served by the gateway)
 *   dist/deploy/, dist/docs/           the systemd units, the udev rule, the install guide
 *   dist/package.json, package-lock.json, device/contract/package.json   what `npm ci --omit=dev` needs
 *
 * Each source file is transpiled on its own (esbuild, as tsx does in development) to the same place
 * under dist/, so every `import.meta.url` path in the code (the console, the kiosk renderer, the
 * panel worker) finds the same neighbours as in the source tree. Only the files the entry points
 * reach are written. The gateway's three programs (GATEWAY_BUNDLES) are then bundled over their
 * own files, for memory; the bundle gives each module the `import.meta.url` of its own file, so
 * the same paths hold. The gateway's separate files stay in dist/ (the tests run its worker pools
 * from them), but `node gateway/main.js` loads the bundle. A package the production code imports
 * that is not in `dependencies` fails the build: `npm ci --omit=dev` would not install it.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { batchCheckModuleCode } from './batch-check-code.js';

const ROOT = resolve(import.meta.dirname, '..');
export const DIST = join(ROOT, 'dist');

/** The programs hall IT runs, and the panel, batch-check and checkpoint workers (started by path, not imported). */
export const ENTRY_POINTS = [
  'gateway/main.ts',
  'device/main.ts',
  'device/cli/verify.ts',
  'device/cli/panel-check.ts',
  'device/cli/export-bundle.ts',
  'device/cli/import-receipt.ts',
  'device/update/launcher-main.ts',
  'scripts/make-release.ts',
  'device/hardware/panel/panel-worker.ts',
  'gateway/ingest/batch-check-worker.ts',
  'gateway/store/wal-checkpoint-worker.ts',
  'scripts/province-sim.ts',
  'electron-app/main/pin-hash.ts',
];

/** Built assets the programs serve, copied to the same relative place. */
const ASSETS: Array<{ path: string; builtBy: string }> = [
  { path: 'gateway/console/dist', builtBy: 'npm run build:console' },
  { path: 'electron-app/dist', builtBy: 'npx tsx electron-app/build.ts all' },
  { path: 'electron-app/chromium-shell', builtBy: '(in the repository)' },
  { path: 'deploy', builtBy: '(in the repository)' },
  { path: 'docs/INSTALL.md', builtBy: '(in the repository)' },
  { path: 'docs/OPERATIONS.md', builtBy: '(in the repository)' },
  { path: 'docs/UPDATE.md', builtBy: '(in the repository)' },
  { path: 'docs/VILLAGE.md', builtBy: '(in the repository)' },
];

/** `npm run …` in the installed folder: the same names as in development, on the built files. */
const PRODUCTION_SCRIPTS = {
  start: 'node gateway/main.js serve',
  gateway: 'node gateway/main.js',
  device: 'node device/main.js',
  'device:verify': 'node device/cli/verify.js',
  'panel:check': 'node device/cli/panel-check.js',
  'device:export-bundle': 'node device/cli/export-bundle.js',
  'device:import-receipt': 'node device/cli/import-receipt.js',
  'device:launcher': 'node device/update/launcher-main.js',
  release: 'node scripts/make-release.js',
  'province-sim': 'node scripts/province-sim.js',
  'kiosk:pin-hash': 'node electron-app/main/pin-hash.js',
};

interface PackageJson {
  dependencies: Record<string, string>;
  scripts?: Record<string, string>;
  exports?: Record<string, string>;
  [key: string]: unknown;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
/** The package an import specifier names: `@scope/name` or `name`, without a subpath. */
export const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * Bare imports: production dependencies stay imports, except `bundled` (followed into a bundle);
 * @hcp/contract is ours and followed; anything else is an error.
 */
function productionImportsOnly(dependencies: Record<string, string>, bundled: ReadonlySet<string> = new Set()): Plugin {
  return {
    name: 'production-imports-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = packageName(args.path);
        if (args.path.startsWith('node:') || builtinModules.includes(name)) return { path: args.path, external: true };
        if (name === '@hcp/contract' || bundled.has(name)) return undefined;
        if (name in dependencies) return { path: args.path, external: true };
        return { errors: [{ text: `${args.path} is imported by production code (${args.importer}) but is not in package.json "dependencies"` }] };
      });
    },
  };
}

/** The repository's own source files the entry points reach (imports and dynamic imports). */
export async function reachedSources(dependencies: Record<string, string>): Promise<string[]> {
  const result = await build({
    entryPoints: ENTRY_POINTS.map((e) => join(ROOT, e)),
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(ROOT, '.build-graph'),
    absWorkingDir: ROOT,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    plugins: [productionImportsOnly(dependencies)],
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(ROOT, p));
  const outside = inputs.filter((p) => relative(ROOT, p).startsWith('..') || p.includes('/node_modules/'));
  if (outside.length > 0) throw new Error(`production code reaches files outside the repository's sources: ${outside.join(', ')}`);
  return inputs;
}

/**
 * The gateway's three programs, bundled (docs/OPERATIONS.md, "Memory"), each a file and the chunks
 * beside it of what it loads by import(). Each module loaded costs memory of its own (its source
 * text, which V8 keeps, and what V8 and Node build for it), and the gateway as separate files
 * loads some 600 of its own, zod's and kysely's. With its own and zod's bundled (kysely is not,
 * below), it holds less 2 s after 1,000 devices logged in to it freshly started (docs/OPERATIONS.md,
 * "Memory", with the command that measures it). Each worker is its own bundle: a worker thread is
 * a heap of its own, and would not share a chunk's memory with the main thread.
 */
export const GATEWAY_BUNDLES = ['gateway/main.ts', 'gateway/ingest/batch-check-worker.ts', 'gateway/store/wal-checkpoint-worker.ts'];

/**
 * Packages followed into the gateway's bundles: ESM that reads no file of its own at run time.
 * The others stay imports of node_modules (CommonJS that finds files by __dirname, native addons).
 * Not kysely, though it is such ESM: bundled, it made PostgreSQL's press->ack p99 and backlog
 * slower with the CPU per rating unchanged, for a reason not found, and saved little memory
 * (docs/OPERATIONS.md, "Memory", the A/Bs).
 */
const BUNDLED_PACKAGES: ReadonlySet<string> = new Set(['zod']);

/**
 * In a bundle, `import.meta.url` is the bundle's; each source file's is rewritten to where its
 * built file would be, beside the bundle's output, so that paths resolved from it (the console's
 * files, a worker thread's file, package.json) are the same as in the separate files.
 */
export function sourceLocations(outFile: string): Plugin {
  return {
    name: 'source-locations',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const contents = readFileSync(args.path, 'utf8');
        const other = /import\.meta\.(dirname|filename)/.exec(contents);
        if (other) return { errors: [{ text: `${relative(ROOT, args.path)} uses ${other[0]}, which a bundle does not rewrite: use import.meta.url` }] };
        const built = relative(dirname(join(ROOT, outFile)), args.path).replace(/\.ts$/, '.js');
        const here = `new URL(${JSON.stringify(built.startsWith('.') ? built : `./${built}`)}, import.meta.url).href`;
        return { contents: contents.replaceAll('import.meta.url', here), loader: 'ts' };
      });
    },
  };
}

/**
 * The checking thread's compiled batch schema as code (gateway/ingest/compiled-batch-check.ts): the
 * installed thread starts without Ajv's compiler and without compiling.
 */
function batchCheckAhead(): Plugin {
  return {
    name: 'batch-check-ahead',
    setup(b) {
      b.onLoad({ filter: /\/gateway\/ingest\/compiled-batch-check\.ts$/ }, (args) => ({ contents: batchCheckModuleCode(), loader: 'js', resolveDir: dirname(args.path) }));
    },
  };
}

async function bundleGateway(out: string, dependencies: Record<string, string>): Promise<void> {
  for (const entry of GATEWAY_BUNDLES) {
    const outFile = entry.replace(/\.ts$/, '.js');
    await build({
      entryPoints: [join(ROOT, entry)],
      // What it loads by import() stays apart, in chunks, loaded when first needed (a
      // bundle without splitting would hoist their packages' imports to its start); they go
      // beside the program, so that every part of the bundle has the same import.meta.url folder.
      outdir: join(out, dirname(outFile)),
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      splitting: true,
      allowOverwrite: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Whitespace and syntax only: names stay, so a stack trace in the log still says where.
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'warning',
      plugins: [productionImportsOnly(dependencies, BUNDLED_PACKAGES), batchCheckAhead(), sourceLocations(outFile)],
    });
  }
}

/** `outDir`/`assets`: the benches build the programs alone into a folder of their own (scripts/bench/built-gateway.ts). */
export async function buildDist(o: { outDir?: string; assets?: boolean } = {}): Promise<{ files: number }> {
  const out = o.outDir ?? DIST;
  const assets = o.assets === false ? [] : ASSETS;
  const pkg = readJson<PackageJson>(join(ROOT, 'package.json'));
  for (const asset of assets) {
    if (!existsSync(join(ROOT, asset.path))) throw new Error(`${asset.path} is missing: run ${asset.builtBy} first (npm run build does)`);
  }
  const sources = await reachedSources(pkg.dependencies);
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: sources,
    outbase: ROOT,
    outdir: out,
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  await bundleGateway(out, pkg.dependencies);
  for (const asset of assets) cpSync(join(ROOT, asset.path), join(out, asset.path), { recursive: true });

  // npm ci needs the workspace folder; at run time @hcp/contract resolves to it, so its exports name the built files.
  const contract = readJson<PackageJson>(join(ROOT, 'device/contract/package.json'));
  const builtExports = Object.fromEntries(Object.entries(contract.exports ?? {}).map(([k, v]) => [k, v.replace(/\.ts$/, '.js')]));
  writeFileSync(join(out, 'device/contract/package.json'), `${JSON.stringify({ ...contract, exports: builtExports }, null, 2)}\n`);
  // Same dependencies and workspaces as the lock file (npm ci checks them); scripts run the built files.
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ ...pkg, scripts: PRODUCTION_SCRIPTS }, null, 2)}\n`);
  cpSync(join(ROOT, 'package-lock.json'), join(out, 'package-lock.json'));
  return { files: sources.length };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    const { files } = await buildDist();
    process.stdout.write(`built ${files} modules into ${relative(process.cwd(), DIST) || '.'}/ (run there: npm ci --omit=dev; node gateway/main.js …)\n`);
  } catch (err) {
    process.stderr.write(`build: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
