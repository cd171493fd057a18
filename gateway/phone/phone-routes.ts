/**
 * The phone rating routes beside the console (docs/PHONE.md): `/w/…`, `/r/…`, `/c/…` and
 * `/phone/…`. The console is hash-routed and served from `/` with a wildcard (http/console-static.ts);
 * these named routes take precedence over that wildcard, and neither shadows the other's files.
 * When the hall's public address has a path (`https://host/hcp`), the routes answer both with and
 * without it, so a proxy that keeps or strips the prefix both work.
 *
 * GET shows a page with a fresh form token; POST of a level either stores the rating or, after a
 * 差评, shows the reasons first (the same token rides along); POST of the details stores it.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CURRENT_CATALOGUE_VERSION, LEVELS, type RatingLevel } from '@hcp/contract';
import { recordChannelRating, type ChannelOutcome } from '../channels/channel-ratings.js';
import { cardAssessId } from '../paper/card-serial.js';
import type { FeatureContext } from '../feature.js';
import type { Tx } from '../store/database.js';
import type { PhoneGuard } from './phone-guard.js';
import { closedPage, levelsPage, reasonsPage, refusedPage, thanksPage, type Refusal } from './phone-pages.js';
import { PHONE_CSS } from './phone-style.js';
import { inviteTarget, linkTarget, windowTarget, type PhoneTarget } from './phone-target.js';

export interface PhoneRouteDeps {
  ctx: FeatureContext;
  guard: PhoneGuard;
  /** The path of the hall's public address ('' or '/hcp'). */
  prefix: string;
  /** How long after its invitation a dynamic code still opens its case. */
  caseCodeValidMs: number;
  /** Take the source address from X-Forwarded-For's last entry (a reverse proxy in front), not the socket. */
  trustForwardedFor: boolean;
  secureCookies: boolean;
}

/** Nothing from anywhere else, no script, forms post only here. */
export const PHONE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type Resolve = (trx: Tx, req: FastifyRequest) => Promise<PhoneTarget>;
type Params = Record<string, string>;

const STATUS: Record<string, number> = { rated: 200, 'card-rated': 200, withdrawn: 200, unknown: 404, expired: 410 };
const REFUSED_STATUS: Record<Refusal, number> = {
  'too-soon': 400,
  'token-expired': 400,
  'bad-token': 400,
  replayed: 409,
  'browser-limit': 429,
  'address-limit': 429,
  'bad-form': 400,
};

export function phoneRoutes(d: PhoneRouteDeps): FastifyPluginAsync {
  const { ctx, guard } = d;
  const hallName = () => ctx.hall.hallName;
  const catalogueVersion = ctx.hall.catalogueVersion || CURRENT_CATALOGUE_VERSION;

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', PHONE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cache-control', 'no-store')
      .send(body);

  const addressOf = (req: FastifyRequest) => {
    const fwd = d.trustForwardedFor
      ? String(req.headers['x-forwarded-for'] ?? '')
          .split(',')
          .pop()
          ?.trim()
      : '';
    return fwd || req.ip;
  };

  async function show(req: FastifyRequest, reply: FastifyReply, resolve: Resolve, css: string) {
    const target = await ctx.store.write((trx) => resolve(trx, req));
    if (target.kind === 'closed') return html(reply, STATUS[target.why] ?? 404, closedPage({ css, hallName: hallName(), why: target.why }));
    if (target.kind === 'window' && (await guard.ratedRecently(req.cookies, target.windowId)))
      return html(reply, 429, refusedPage({ css, hallName: hallName(), why: 'browser-limit', again: null }));
    return html(reply, 200, levelsPage({ css, hallName: hallName(), target, token: await guard.issueToken(target.scope) }));
  }

  async function submit(req: FastifyRequest, reply: FastifyReply, resolve: Resolve, css: string) {
    const refuse = (why: Refusal, again: string | null = '') => html(reply, REFUSED_STATUS[why], refusedPage({ css, hallName: hallName(), why, again }));
    const form = req.body instanceof URLSearchParams ? req.body : null;
    const level = Number(form?.get('level'));
    if (!form || !Number.isInteger(level) || level < 1 || level > 5) return refuse('bad-form');
    const first = await ctx.store.write((trx) => resolve(trx, req));
    if (first.kind === 'closed') return html(reply, STATUS[first.why] ?? 404, closedPage({ css, hallName: hallName(), why: first.why }));
    const token = form.get('token') ?? '';
    const check = await guard.checkToken(token, first.scope);
    if (!check.ok) return refuse(check.why);
    const bad = LEVELS[level as RatingLevel].bad;
    if (bad && form.get('step') !== 'details')
      return html(reply, 200, reasonsPage({ css, hallName: hallName(), target: first, token, level: level as RatingLevel, catalogueVersion }));
    if (first.kind === 'window' && (await guard.ratedRecently(req.cookies, first.windowId))) return refuse('browser-limit', null);

    const reasons = bad ? form.getAll('reasons').map(Number) : [];
    const comment = bad ? (form.get('comment') ?? '').trim().slice(0, 500) : '';
    const address = addressOf(req);
    const result = await ctx.store.write(async (trx): Promise<{ refused: Refusal } | { closed: string } | { outcome: ChannelOutcome }> => {
      const target = await resolve(trx, req);
      if (target.kind === 'closed') return { closed: target.why };
      if (await guard.used(trx, check.nonce)) return { refused: 'replayed' };
      const flags: string[] = [];
      let budget: Awaited<ReturnType<PhoneGuard['addressBucket']>> | null = null;
      if (target.kind === 'window') {
        budget = await guard.addressBucket(trx, address, target.windowId);
        if (budget.ratings >= guard.limits.addressPerHour) return { refused: 'address-limit' };
        // R11 facts, never who: the same source again this hour, a window rated in a burst.
        if (budget.ratings > 0) flags.push('qr-repeat-source');
        if ((await guard.recentWindowRatings(trx, target.windowId)) >= guard.limits.burstPer10Min) flags.push('qr-burst');
      }
      const outcome = await recordChannelRating(
        trx,
        {
          assessId: target.kind === 'window' && target.card ? cardAssessId(target.card) : `phone-${check.nonce}`,
          channel: target.channel,
          ...(target.kind === 'window' ? { windowId: target.windowId } : { caseNo: target.caseNo }),
          level,
          ratedAt: new Date(ctx.clock.now()).toISOString(),
          reasons,
          ...(comment ? { comment } : {}),
          catalogueVersion,
          flags,
        },
        new Date(ctx.clock.now()).toISOString(),
      );
      if (outcome.stored) {
        await guard.markUsed(trx, check.nonce);
        if (budget) await guard.spend(trx, budget);
      }
      return { outcome };
    });
    if ('refused' in result) return refuse(result.refused, result.refused === 'address-limit' ? null : '');
    if ('closed' in result) return html(reply, STATUS[result.closed] ?? 404, closedPage({ css, hallName: hallName(), why: result.closed }));
    const o = result.outcome;
    if (!o.stored) {
      if (o.why === 'bad-reasons') return refuse('bad-form');
      const why =
        o.why === 'duplicate'
          ? first.kind === 'window' && first.card
            ? 'card-rated'
            : 'rated'
          : o.why === 'case-closed'
            ? 'withdrawn'
            : o.why === 'already-rated'
              ? 'rated'
              : 'unknown';
      return html(reply, STATUS[why] ?? 404, closedPage({ css, hallName: hallName(), why }));
    }
    ctx.events.emit('assessments-changed', { by: 'channel' });
    if (o.caseNo) ctx.events.emit('case-rated', { caseNo: o.caseNo, channel: first.channel });
    if (first.kind === 'window') {
      const mark = await guard.browserMark(first.windowId);
      reply.setCookie(mark.name, mark.value, { path: '/', httpOnly: true, sameSite: 'lax', secure: d.secureCookies, maxAge: mark.maxAgeSec });
    }
    return html(reply, 200, thanksPage({ css, hallName: hallName(), bad }));
  }

  const pages: Array<{ path: string; css: string; resolve: Resolve }> = [
    { path: '/w/:windowId', css: '../phone/phone.css', resolve: (trx, req) => windowTarget(trx, (req.params as Params).windowId!, (req.query as Params).card) },
    {
      path: '/r/:deviceId/:inviteId',
      css: '../../phone/phone.css',
      resolve: (trx, req) => inviteTarget(trx, (req.params as Params).deviceId!, (req.params as Params).inviteId!, ctx.clock.now(), d.caseCodeValidMs),
    },
    { path: '/c/:token', css: '../phone/phone.css', resolve: (trx, req) => linkTarget(trx, (req.params as Params).token!, ctx.clock.now()) },
  ];

  // A flood of requests from one address is turned away before any database work (in memory, per
  // worker): a guard for the gateway, not a rating limit — those are the guard's, in the database.
  const flood = { max: 240, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `phone:${addressOf(req)}` };

  return async (app) => {
    // Plain HTML forms; only these routes accept them (the plugin's own scope).
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, new URLSearchParams(String(body))));
    for (const prefix of new Set(['', d.prefix])) {
      for (const p of pages) {
        app.get(`${prefix}${p.path}`, { schema: { hide: true }, config: { rateLimit: flood } }, (req, reply) => show(req, reply, p.resolve, p.css));
        app.post(`${prefix}${p.path}`, { schema: { hide: true }, config: { rateLimit: flood } }, (req, reply) => submit(req, reply, p.resolve, p.css));
      }
      app.get(`${prefix}/phone/phone.css`, { schema: { hide: true } }, (_req, reply) =>
        reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(PHONE_CSS),
      );
      // The reachability check (phone-reach.ts) asks through the public address and expects its nonce back.
      app.get(`${prefix}/phone/ping`, { schema: { hide: true } }, (req, reply) => {
        const n = String((req.query as Params).n ?? '');
        if (!/^[A-Za-z0-9_-]{8,64}$/.test(n)) return reply.code(400).type('text/plain').send('bad nonce');
        return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(n);
      });
    }
  };
}
