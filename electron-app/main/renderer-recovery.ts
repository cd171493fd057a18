/**
 * Keeps the kiosk page up: when the renderer dies (crash, OOM, killed) or hangs, it is reloaded
 * after a back-off (1 s, 2 s, 4 s … at most 30 s); after `maxCrashes` crashes with no stable
 * minute in between the shell exits non-zero so the service manager starts it afresh (systemd
 * Restart=always). A page that fails to load (the runtime is not up yet at boot) is retried
 * forever with the same back-off: that is waiting, not a fault. Ratings are safe in the device
 * runtime meanwhile; the page owns no data.
 */
import type { Clock } from './clock.js';
import type { ShellContents } from './electron-api.js';

export interface RecoveryOptions {
  contents: ShellContents;
  /** The URL to (re)load, with the token read fresh (it changes every runtime boot). */
  url: () => string;
  clock: Clock;
  log: (msg: string) => void;
  /** Called when crashes keep coming: exit so the service manager restarts the shell. */
  giveUp: () => void;
  firstDelayMs?: number;
  maxDelayMs?: number;
  maxCrashes?: number;
  /** A page that stayed up this long after loading counts as recovered. */
  stableMs?: number;
  /** How long an unresponsive page gets to answer again before it is crashed and reloaded. */
  hangGraceMs?: number;
}

/** Chromium's net::ERR_ABORTED: our own reload cut the previous load short; not a failure. */
const ERR_ABORTED = -3;

export function keepRendererUp(o: RecoveryOptions): { load(): void } {
  const first = o.firstDelayMs ?? 1000;
  const max = o.maxDelayMs ?? 30_000;
  const maxCrashes = o.maxCrashes ?? 6;
  const stableMs = o.stableMs ?? 60_000;
  const hangGraceMs = o.hangGraceMs ?? 10_000;
  let crashes = 0;
  let loadFailures = 0;
  let loadedAt = 0;
  let pending: unknown = null;
  let hang: unknown = null;
  const backoff = (n: number) => Math.min(max, first * 2 ** Math.max(0, n - 1));

  const load = () => {
    pending = null;
    if (!o.contents.isDestroyed()) void o.contents.loadURL(o.url()).catch(() => undefined);
  };
  const reloadAfter = (ms: number) => {
    if (pending !== null) o.clock.clearTimeout(pending);
    pending = o.clock.setTimeout(load, ms);
  };

  o.contents.on('did-finish-load', () => {
    loadedAt = o.clock.now();
    loadFailures = 0;
  });
  o.contents.on('did-fail-load', (_e, code, description, _url, isMainFrame) => {
    if (code === ERR_ABORTED || !isMainFrame) return;
    loadFailures++;
    const wait = backoff(loadFailures);
    o.log(`page did not load (${description}); retrying in ${wait} ms`);
    reloadAfter(wait);
  });
  o.contents.on('render-process-gone', (_e, details) => {
    if (details.reason === 'clean-exit') return;
    if (loadedAt > 0 && o.clock.now() - loadedAt >= stableMs) crashes = 0;
    loadedAt = 0;
    crashes++;
    if (crashes > maxCrashes) {
      o.log(`renderer gone ${crashes} times in a row (${details.reason}); exiting for a clean restart`);
      o.giveUp();
      return;
    }
    const wait = backoff(crashes);
    o.log(`renderer gone (${details.reason}); reloading in ${wait} ms`);
    reloadAfter(wait);
  });
  o.contents.on('unresponsive', () => {
    if (hang !== null) return;
    o.log(`renderer unresponsive; crashing it in ${hangGraceMs} ms unless it answers`);
    hang = o.clock.setTimeout(() => {
      hang = null;
      o.contents.forcefullyCrashRenderer();
    }, hangGraceMs);
  });
  o.contents.on('responsive', () => {
    if (hang === null) return;
    o.clock.clearTimeout(hang);
    hang = null;
    o.log('renderer answers again');
  });
  return { load };
}
