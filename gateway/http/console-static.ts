/**
 * The console (gateway/console, a Vue app) served at /. Its pages are hash-routed (/#/live,
 * /#/screen?key=…), so one index.html serves them all and no API path is shadowed. Hashed assets
 * are cached for good; index.html never is, so a gateway update shows the new console at once.
 * The build writes brotli and gzip copies of each text asset (gateway/console/vite.config.ts); the
 * browser gets the smallest it accepts (2.1 MB of script and styles travel as ~0.5 MB), and no
 * request pays for compressing.
 * A gateway started from a checkout where the console was never built says so at / instead of
 * answering 404 (`npm run build:console`; scripts/setup.sh builds it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist', import.meta.url));

/** The console's page policy: everything from this gateway; Element Plus sets inline styles. */
const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "media-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>控制台未构建</title>
<body style="font:16px/1.6 sans-serif;max-width:40em;margin:4em auto">
<h1>控制台尚未构建 · The console is not built</h1>
<p>这个网关是从源码启动的，控制台页面还没有生成。请在项目目录运行：</p>
<pre>npm run build:console</pre>
<p>This gateway runs from a checkout where the console was never built. Run the command above in the project folder (scripts/setup.sh does it), then reload.</p>
<p>The API works meanwhile: <a href="docs">/docs</a>.</p></body>`;

export function consoleStatic(dist = CONSOLE_DIST): FastifyPluginAsync {
  return async (app) => {
    if (!existsSync(`${dist}/index.html`)) {
      app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT));
      return;
    }
    await app.register(fastifyStatic, {
      root: dist,
      prefix: '/',
      // An array: with preCompressed, @fastify/static looks an index up only in an array (a string answers / with 404).
      index: ['index.html'],
      wildcard: true,
      preCompressed: true,
      setHeaders(res, sent) {
        // `sent` may be the precompressed copy (index.html.br): the policy follows the file it stands for.
        const path = sent.replace(/\.(br|gz)$/, '');
        res.header('x-content-type-options', 'nosniff');
        res.header('referrer-policy', 'no-referrer');
        if (path.endsWith('.html')) {
          res.header('cache-control', 'no-cache');
          res.header('content-security-policy', CSP);
          res.header('x-frame-options', 'DENY');
        } else if (path.includes('/assets/')) {
          res.header('cache-control', 'public, max-age=31536000, immutable');
        }
      },
    });
  };
}
