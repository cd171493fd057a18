/**
 * The console's build (Vite + Vue). `npm run build:console` writes gateway/console/dist, which the
 * gateway serves at / (gateway/http/console-static.ts). Relative asset paths: the console works
 * behind any path prefix a hall's reverse proxy adds. `npm run console:dev` proxies /api to a
 * running gateway (HCP_GATEWAY, default http://127.0.0.1:8080) for UI work.
 *
 * Chunks: Vue and its router and i18n in one; the Element Plus parts two or more pages share in
 * another; what one page alone uses stays with that page; ECharts only where a chart is drawn
 * (charts/echarts.ts loads it beside the page's API calls). ECharts in the first chunks made every
 * page parse and run 0.5 MB more script before it asked the gateway anything; left to itself the
 * bundler cut the live page into ~30 small files, and six browser connections then queued the
 * session check behind them (scripts/bench-console.ts measures the live page).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

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

export default defineConfig({
  root,
  base: './',
  plugins: [vue(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts (core, bars, grid, tooltip, legend, aria, canvas) is one ~540 kB chunk on its own.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/, priority: 2 },
            {
              name: 'ui',
              test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|lodash-es|lodash-unified|@vueuse|dayjs|@ctrl|async-validator|memoize-one|normalize-wheel-es)[\\/]/,
              minShareCount: 2,
              priority: 1,
            },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': gateway, '/openapi.json': gateway } },
});
