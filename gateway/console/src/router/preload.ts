/**
 * Starting a page's lazy chunks early. Vue Router fetches a lazy route component only after every
 * guard has passed — after the guard's GET /api/me — so a page's code and the session check ran one
 * after the other. Calling the route's loaders first lets them run side by side; the router's own
 * call later finds the module already fetched (import() is cached by the browser).
 */
import type { RouteComponent, RouteLocationNormalized, RouteLocationResolved } from 'vue-router';

type Lazy = () => Promise<RouteComponent>;

/** A route's lazy loader, told apart from a component as Vue Router does (a component is an object or has these). */
function isLazy(c: unknown): c is Lazy {
  return typeof c === 'function' && !('displayName' in c) && !('props' in c) && !('__vccOpts' in c);
}

/** Fetch the chunks of every component the route shows (its layout's too); failures are the router's to report. */
export function preloadRoute(to: RouteLocationNormalized | RouteLocationResolved): void {
  for (const record of to.matched) {
    for (const component of Object.values(record.components ?? {})) {
      if (isLazy(component)) component().catch(() => undefined);
    }
  }
}

/** The same once the browser has nothing better to do (or after a second where it has no idle callback). */
export function prefetchWhenIdle(to: RouteLocationResolved): void {
  const run = () => preloadRoute(to);
  if ('requestIdleCallback' in window) window.requestIdleCallback(run, { timeout: 1000 });
  else setTimeout(run, 1000);
}
