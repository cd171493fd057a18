/**
 * Window posters as a gateway feature (always on; the `posters` section is optional):
 *
 *   GET /api/window-posters                    whether posters can be printed (the hall's qrBaseUrl)
 *   GET /api/windows/:windowId/poster.pdf      one window's A4 poster
 *   GET /api/windows/posters.pdf               every window's, one page each
 *
 * Hall IT and managers (who put them up). Reading only, so nothing is audited. A hall without
 * `hall.qrBaseUrl` gets 409 and no poster: a printed code that leads nowhere would be worse than
 * none (the console's button says why it is off).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { parse } from '../http/api.js';
import { routeOptions } from '../http/routes/console-route-options.js';
import { findPdfFont, PdfFontMissingError, type PdfFont } from '../reports/report-pdf.js';
import { windowPostersPdf, type PosterWindow } from './window-poster.js';

export const PostersConfigSchema = z
  .object({
    /** A CJK font for the posters (.ttc, .otf or .ttf); by default Noto Sans CJK from Debian's fonts-noto-cjk. */
    pdfFont: z
      .object({ file: z.string(), family: z.string().optional().describe('the face inside a .ttc, e.g. NotoSansCJKsc-Regular') })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});
export type PostersConfig = z.infer<typeof PostersConfigSchema>;

const POSTER_ROLES = ['hall-it', 'manager'] as const;
const WindowParams = z.object({ windowId: z.string().min(1).max(64) });
export const PosterSettingsSchema = z.object({
  /** The base of the windows' rating pages; null: the hall has none, and posters cannot be printed. */
  qrBaseUrl: z.string().nullable(),
});

const NO_BASE_URL = {
  error: 'no-qr-base-url',
  message: 'the hall has no qrBaseUrl (hall.qrBaseUrl in the gateway config): a poster would print a code that leads nowhere',
};

function postersRoutes(ctx: FeatureContext, pdfFont: PdfFont | undefined): FastifyPluginAsync {
  const read = routeOptions(ctx.auth, 'registry', POSTER_ROLES);
  const pdf = async (reply: FastifyReply, windows: PosterWindow[], filename: string) => {
    const base = ctx.hall.qrBaseUrl;
    if (!base) return reply.code(409).send(NO_BASE_URL);
    let body: Buffer;
    try {
      body = await windowPostersPdf(ctx.hall.hallName, base, windows, findPdfFont(pdfFont));
    } catch (err) {
      if (err instanceof PdfFontMissingError) return reply.code(503).send({ error: err.code, message: err.message });
      throw err;
    }
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="${filename}"`)
      .serializer((x: unknown) => x as string)
      .send(body);
  };
  return async (app) => {
    app.get(
      '/api/window-posters',
      read({ description: 'Whether window posters can be printed: the base of the rating pages their codes lead to, or null.', response: PosterSettingsSchema }),
      async () => ({ qrBaseUrl: ctx.hall.qrBaseUrl ?? null }),
    );
    app.get(
      '/api/windows/:windowId/poster.pdf',
      read({
        description:
          "The window's A4 poster (PDF): hall, window number and department, 手机扫码评价 / Scan to rate, and the QR code of <qrBaseUrl>/w/<windowId>. 409 when the hall has no qrBaseUrl.",
        params: WindowParams,
        response: z.string().describe('the PDF'),
      }),
      async (req, reply) => {
        const p = parse(WindowParams, req.params, reply);
        if (!p) return;
        const w = await ctx.registry.window(p.windowId);
        if (!w) return reply.code(404).send({ error: 'not-found', message: `no window ${p.windowId}` });
        return pdf(reply, [w], `poster-${w.windowId}.pdf`);
      },
    );
    app.get(
      '/api/windows/posters.pdf',
      read({ description: "Every window's poster, one A4 page each, by window number (PDF). 409 when the hall has no qrBaseUrl.", response: z.string().describe('the PDF') }),
      async (_req, reply) => {
        const windows = (await ctx.registry.listWindows()).sort((a, b) => a.number.localeCompare(b.number, 'zh-CN', { numeric: true }));
        if (windows.length === 0) return reply.code(404).send({ error: 'not-found', message: 'the hall has no windows yet' });
        return pdf(reply, windows, 'window-posters.pdf');
      },
    );
  };
}

export const windowPostersFeature = defineFeature({
  name: 'window-posters',
  configKey: 'posters',
  configSchema: PostersConfigSchema,
  migrations: [],
  create: (ctx, config): GatewayFeature => ({
    routes: postersRoutes(ctx, config.pdfFont),
    start: async () => undefined,
    stop: async () => undefined,
  }),
});
