/**
 * The console's build (Vite + Vue). `npm run build:console` writes gateway/console/dist, which the
 * gateway serves at / (gateway/http/console-static.ts). Relative asset paths: the console works
 * behind any path prefix a hall's reverse proxy adds. `npm run console:dev` proxies /api to a
 * running gateway (HCP_GATEWAY, default http://127.0.0.1:8080) for UI work.
 *
 * Made for the live page's first load (scripts/bench-console.ts measures it):
 * - the entry (main.ts, ~5 kB) asks the gateway who is logged in and, on the live page, the day's
 *   figures and feed before anything else loads (first-answers.ts), then loads the console;
 * - Element Plus per component, script and styles (build/element-plus-imports.ts), so the first
 *   screens — login, frame, live hall — carry only theirs (`ui-first`, ~250 kB of script and
 *   ~110 kB of CSS instead of 520 kB and the whole library's 365 kB); two or more other pages
 *   share `ui`; what one page alone uses stays with that page;
 * - the console's own code of the first screens in one file (`first-screens`): left to itself the
 *   bundler cut the live page into ~30 small files, which queued on six browser connections;
 * - ECharts only where a chart is drawn (charts/echarts.ts loads it beside the page's API calls),
 *   the live page's date picker once the page has drawn (components/LazyDayPicker.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';
import { elementPlusImports } from './build/element-plus-imports.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const gateway = process.env.HCP_GATEWAY ?? 'http://127.0.0.1:8080';

/**
 * Writes `name.br` and `name.gz` next to each text asset once, at build time, at the best ratio
 * (brotli 11 is too slow to do per request); the gateway sends them with Content-Encoding to the
 * browsers that accept them (@fastify/static `preCompressed`). Only where it saves a tenth or more.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'hcp-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(js|css|html|svg|json)$/.test(f));
      for (const file of files) {
        const path = join(outDir, file);
        const raw = readFileSync(path);
        if (raw.length < 1024) continue;
        const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
        const gz = gzipSync(raw, { level: 9 });
        if (br.length < raw.length * 0.9) writeFileSync(`${path}.br`, br);
        if (gz.length < raw.length * 0.9) writeFileSync(`${path}.gz`, gz);
      }
    },
  };
}

const UI_LIBRARIES =
  /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|lodash-es|lodash-unified|@vueuse|dayjs|@ctrl|async-validator|memoize-one|normalize-wheel-es)[\\/]/;

/**
 * The screens a manager's first visit goes through (the login page, the frame, the live hall) and
 * every module they import statically: their Element Plus parts make the `ui-first` chunk. The
 * live page's components alone are ~40 % of the library's script and styles; the rest (dialogs,
 * forms, selects, trees, drawers of the other pages) waits until a page that uses it opens.
 */
const FIRST_SCREENS = ['app.ts', 'components/AppLayout.vue', 'views/LoginView.vue', 'views/LiveView.vue'].map((f) => join(root, 'src', f));
const ENTRY = join(root, 'src', 'main.ts');

type Graph = { getModuleInfo(id: string): { importedIds: readonly string[] } | null };
/** Every module `roots` import statically, themselves included. */
function reachable(ctx: Graph, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(ctx.getModuleInfo(id)?.importedIds ?? []));
  }
  return seen;
}
let firstScreenModules: Set<string> | null = null;
let entryModules: Set<string> | null = null;
const firstScreens = (ctx: Graph) => (firstScreenModules ??= reachable(ctx, FIRST_SCREENS));
const inEntry = (ctx: Graph) => (entryModules ??= reachable(ctx, [ENTRY]));

/**
 * Tells the browser, in index.html, to fetch the first screens' styles (preload: fetched, not yet
 * applied) while the small entry (main.ts) asks the gateway its first questions. Not their scripts:
 * a modulepreloaded script is parsed on the page's main thread when it arrives, and Vue and Element
 * Plus arriving first kept the entry — and the questions — waiting ~100 ms behind their parsing.
 * The entry asks for them itself a moment later (the import of app.ts).
 */
function preloadFirstStyles(): Plugin {
  return {
    name: 'hcp-preload-first-styles',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const byFile = new Map(chunks.map((c) => [c.fileName, c]));
        const files = new Set<string>();
        const add = (file: string) => {
          const c = byFile.get(file);
          if (!c || files.has(file)) return;
          files.add(file);
          for (const f of c.imports) add(f);
        };
        for (const c of chunks) if (!c.isEntry && c.moduleIds.some((id) => FIRST_SCREENS.includes(id))) add(c.fileName);
        const css = new Set([...files].flatMap((f) => [...(byFile.get(f)?.viteMetadata?.importedCss ?? [])]));
        return [...css].map((f) => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', href: `./${f}` }, injectTo: 'head' as const }));
      },
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [vue(), elementPlusImports(join(root, 'src')), preloadFirstStyles(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts (core, bars, grid, tooltip, legend, aria, canvas) is one ~540 kB chunk on its own.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/, priority: 3 },
            // What the first screens need of Element Plus (and its styles), in one file the entry loads.
            { name: (id, ctx) => (firstScreens(ctx).has(id) ? 'ui-first' : null), debugName: 'ui-first', test: UI_LIBRARIES, priority: 2 },
            // The entry's few modules (first-answers.ts and what it uses) apart from everything
            // else: the next group would take them along as dependencies, and Vue and Element Plus with them.
            { name: (id, ctx) => (inEntry(ctx).has(id) ? 'first-answers' : null), debugName: 'first-answers', test: /./, priority: 4 },
            // The console's own code of those screens in one file, not a dozen small ones that queue
            // on the browser's six connections (the entry's own few modules stay apart: it runs first).
            {
              name: (id, ctx) => (firstScreens(ctx).has(id) ? 'first-screens' : null),
              debugName: 'first-screens',
              test: (id) => id.startsWith(join(root, 'src')),
              priority: 2,
            },
            // The rest that two or more pages share; what one page alone uses stays with that page.
            { name: 'ui', test: UI_LIBRARIES, minShareCount: 2, priority: 1 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': gateway, '/openapi.json': gateway } },
});
