/**
 * Builds the kiosk renderer (electron-app/dist/renderer: index.html, app.js, app.css) and the
 * Electron shell (electron-app/dist/main: main.js, preload.js) with esbuild.
 * `npm run build:kiosk` — the device runtime serves dist/renderer at `/`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

const HERE = resolve(import.meta.dirname);
export const RENDERER_DIST = join(HERE, 'dist', 'renderer');
export const MAIN_DIST = join(HERE, 'dist', 'main');

/**
 * simple-keyboard's package entry is a UMD bundle with polyfills for old browsers (107 kB); its
 * modern ES build (45 kB) is what Chromium needs, and the package names it in no field.
 */
const modernSimpleKeyboard: Plugin = {
  name: 'simple-keyboard-modern',
  setup(b) {
    const entry = createRequire(import.meta.url).resolve('simple-keyboard');
    b.onResolve({ filter: /^simple-keyboard$/ }, () => ({ path: join(dirname(entry), 'index.modern.esm.js') }));
  },
};

export async function buildRenderer(): Promise<void> {
  mkdirSync(RENDERER_DIST, { recursive: true });
  await build({
    entryPoints: [join(HERE, 'renderer', 'main.ts')],
    outfile: join(RENDERER_DIST, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    // Module scripts are always read as UTF-8: keep the Chinese and Tibetan texts (and the pinyin
    // dictionary) as 3 bytes a character rather than 6-byte \u escapes.
    charset: 'utf8',
    logLevel: 'warning',
    plugins: [modernSimpleKeyboard],
  });
  copyFileSync(join(HERE, 'renderer', 'index.html'), join(RENDERER_DIST, 'index.html'));
  copyFileSync(join(HERE, 'renderer', 'app.css'), join(RENDERER_DIST, 'app.css'));
}

export async function buildShell(): Promise<void> {
  mkdirSync(MAIN_DIST, { recursive: true });
  const common = { bundle: true, platform: 'node' as const, target: 'node20', external: ['electron'], logLevel: 'warning' as const };
  await build({ ...common, entryPoints: [join(HERE, 'main', 'main.ts')], outfile: join(MAIN_DIST, 'main.cjs'), format: 'cjs' });
  // Sandboxed preloads must be a single CommonJS file that requires only 'electron'.
  await build({ ...common, entryPoints: [join(HERE, 'preload', 'preload.ts')], outfile: join(MAIN_DIST, 'preload.cjs'), format: 'cjs' });
}

if (process.argv[1] && resolve(process.argv[1]) === join(HERE, 'build.ts')) {
  const what = process.argv[2] ?? 'all';
  if (what === 'renderer' || what === 'all') await buildRenderer();
  if (what === 'shell' || what === 'all') await buildShell();
}
