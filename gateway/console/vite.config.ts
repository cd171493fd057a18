/**
 * The console's build (Vite + Vue). `npm run build:console` writes gateway/console/dist, which the
 * gateway serves at / (gateway/http/console-static.ts). Relative asset paths: the console works
 * behind any path prefix a hall's reverse proxy adds. `npm run console:dev` proxies /api to a
 * running gateway (HCP_GATEWAY, default http://127.0.0.1:8080) for UI work.
 */
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const gateway = process.env.HCP_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: './',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Element Plus and ECharts are large; split them so the live page's own code loads first.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'charts';
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'ui';
          if (id.includes('node_modules')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  server: { proxy: { '/api': gateway, '/openapi.json': gateway } },
});
