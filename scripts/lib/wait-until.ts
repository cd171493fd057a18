/** Poll until `check` holds or the time is up; true if it held. Shared by the suites, the rig and the benchmarks. */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, stepMs = 10): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Wait until `check` holds, failing only when it has made no progress for `stallMs`: the wait
 * depends on the work, not on the wall clock (issue 10, hole 16). `progress` returns anything that
 * changes while the work advances (a count, a length); by default the check itself is polled.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  opts: { what: string; stallMs?: number; everyMs?: number; progress?: () => unknown | Promise<unknown> } = { what: 'condition' },
): Promise<NonNullable<T>> {
  const stallMs = opts.stallMs ?? 20_000;
  let last: unknown;
  let lastChange = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    const p = JSON.stringify(opts.progress ? await opts.progress() : v);
    if (p !== last) {
      last = p;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      throw new Error(`${opts.what}: no progress for ${stallMs} ms (last seen: ${p?.slice(0, 300)})`);
    }
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}
