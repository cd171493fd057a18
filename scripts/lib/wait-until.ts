/** Poll until `check` holds or the time is up; true if it held. Shared by the suites, the rig and the benchmarks. */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, stepMs = 10): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
