/**
 * The first questions to the gateway, asked the moment the console's first small script runs,
 * while the rest of the console (Vue, Element Plus, the pages: ~0.6 MB of script) still downloads
 * and starts. Who is logged in, and — when the address is the live hall — the day's figures and
 * the feed. Before this, the page asked for its figures only after all that script had run, the
 * session had been checked and the page had drawn itself: three waits in a row instead of one
 * (scripts/bench-console.ts measures it). Each answer is taken once by whoever needs it first
 * (useSession, LiveView) while fresh; a later call asks again. No Vue here: this module must not
 * wait for it.
 */
import createClient from 'openapi-fetch';
import { need } from './api/call';
import { api, gatewayBase, type paths } from './api/client';
import { chinaToday } from './format';

/**
 * At start the live answers are asked before anyone knows whether someone is logged in: their
 * refusal (401, 403) must not send anyone anywhere — the router's session check decides that — so
 * they go without the console client's "back to the login page" reaction. Reads only: no CSRF header.
 */
const quiet = createClient<paths>({ baseUrl: gatewayBase, credentials: 'same-origin' });
type Client = typeof quiet;
const askMe = () => api.GET('/api/me');
const askSummary = (client: Client, date: string) => need(client.GET('/api/live/summary', { params: { query: { date } } }));
const askFeed = (client: Client) => need(client.GET('/api/live/feed', { params: { query: { limit: 50 } } }));

let me: ReturnType<typeof askMe> | null = null;
let live: { date: string; at: number; summary: ReturnType<typeof askSummary> | null; feed: ReturnType<typeof askFeed> | null } | null = null;
/** Live answers older than this are not handed out: the page asks afresh. */
const LIVE_FRESH_MS = 5000;

/** Ask now (main.ts, before anything else loads). */
export function askFirstQuestions(hash: string): void {
  // The login page and the lobby screen need no session: nobody would take the answer.
  if (/^#\/(login|screen)(\?|$)/.test(hash)) return;
  me = askMe();
  if (/^#\/live(\?|$)/.test(hash)) {
    askLiveAnswers(quiet);
    // ECharts (the page's two charts) downloads meanwhile too, once someone is logged in to see
    // them (0.5 MB of script a login page does not need); charts/echarts.ts finds it loaded.
    me.then((r) => (r.data ? import('./charts/echarts-setup') : null)).catch(() => undefined);
  }
}

/**
 * The live hall's day figures and feed, asked before its page is drawn (at start, and by the router
 * on the way to the page: after a login, the page's code is there already but its data is not).
 * The router's asking goes through the console client: a session found ended there sends the user
 * to the login page, as the page's own asking would.
 */
export function askLiveAnswers(client: Client = api): void {
  if (live && (live.summary || live.feed) && Date.now() - live.at < LIVE_FRESH_MS) return;
  const date = chinaToday();
  const summary = askSummary(client, date);
  const feed = askFeed(client);
  // Answers nobody takes (a logged-out visit: 401) must not surface as unhandled rejections.
  summary.catch(() => undefined);
  feed.catch(() => undefined);
  live = { date, at: Date.now(), summary, feed };
}

/** Nobody is logged in (useSession): the live answers asked at start are refusals, for nobody. */
export function forgetLiveAnswers(): void {
  live = null;
}

const fresh = () => live !== null && Date.now() - live.at < LIVE_FRESH_MS;

/** GET /api/me as asked at start, once; null when it was not asked (or already taken). */
export function takeFirstMe(): ReturnType<typeof askMe> | null {
  const p = me;
  me = null;
  return p;
}

/** The day's figures as asked at start, once; null when not asked for `date` (or already taken). */
export function takeFirstSummary(date: string): ReturnType<typeof askSummary> | null {
  const p = fresh() && live?.date === date ? live.summary : null;
  if (live) live.summary = null;
  return p;
}

/** The feed as asked at start, once; null when not asked (or already taken). */
export function takeFirstFeed(): ReturnType<typeof askFeed> | null {
  const p = fresh() ? (live?.feed ?? null) : null;
  if (live) live.feed = null;
  return p;
}
