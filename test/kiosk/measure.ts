/**
 * Kiosk measurements in the browser, shared by test/kiosk/perf.test.ts and scripts/bench-kiosk.ts:
 * press → the frame showing the pressed state (renderer/metrics.ts, performance.now against the
 * pointerdown's timestamp), and cold start → interactive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RatingLevel } from '../../device/contract/index.js';
import { launchChromium, percentile, waitFor, waitScreen, type KioskStand } from './kiosk-harness.js';

export interface Figures {
  n: number;
  p50: number;
  p95: number;
  max: number;
}
const figures = (xs: number[]): Figures => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), max: Math.max(...xs) });

/** `n` real ratings by touch on the armed screen (needs a logged-in staff member). */
export async function measurePressAck(stand: KioskStand, n: number): Promise<Figures> {
  const { page, device } = stand;
  await page.evaluate(() => {
    window.__hcpMetrics.pressAckMs.length = 0;
  });
  const good: RatingLevel[] = [5, 4, 3];
  for (let i = 0; i < n; i++) {
    const r = await device.api('POST', '/api/invite');
    if (r.status !== 200) throw new Error(`invite failed: ${JSON.stringify(r.body)}`);
    await waitScreen(page, 'armed');
    await page.locator(`.choice[data-level="${good[i % 3]}"]`).tap();
    await waitScreen(page, 'thanks');
  }
  const xs = await waitFor(page, () => (window.__hcpMetrics.pressAckMs.length ? [...window.__hcpMetrics.pressAckMs] : null), 'press metrics');
  return figures(xs);
}

export interface ColdStart {
  navigation: Figures;
  wallMs: Figures;
  browserLaunchToInteractiveMs: number;
}

/**
 * Navigation start → first screen mounted with its handlers (performance.now in the page), and the
 * same seen from outside (goto → interactive), over `n` fresh pages; plus one fresh browser process.
 */
export async function measureColdStart(stand: KioskStand, n: number): Promise<ColdStart> {
  const nav: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < n; i++) {
    const page = await stand.context.newPage();
    const t0 = performance.now();
    await page.goto(stand.kioskUrl);
    const inPage = await waitFor(page, () => window.__hcpMetrics?.interactiveMs ?? null, 'interactive');
    wall.push(performance.now() - t0);
    nav.push(inPage);
    await page.close();
  }
  const t0 = performance.now();
  const ctx = await launchChromium(mkdtempSync(join(tmpdir(), 'hcp-kiosk-cold-')), { width: 1280, height: 800 });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(stand.kioskUrl);
  await waitFor(page, () => window.__hcpMetrics?.interactiveMs ?? null, 'interactive');
  const browserLaunchToInteractiveMs = performance.now() - t0;
  await ctx.close();
  return { navigation: figures(nav), wallMs: figures(wall), browserLaunchToInteractiveMs };
}

export function formatFigures(press: Figures, cold: ColdStart): string {
  const f = (x: number) => x.toFixed(1);
  return [
    `kiosk press → pressed frame: n=${press.n} p50=${f(press.p50)} ms p95=${f(press.p95)} ms max=${f(press.max)} ms (target p95 ≤ 50 ms, must ≤ 100 ms)`,
    `kiosk cold start (navigation → interactive, in page): n=${cold.navigation.n} p50=${f(cold.navigation.p50)} ms p95=${f(cold.navigation.p95)} ms (target ≤ 1000 ms)`,
    `kiosk cold start (goto → interactive, from outside): p50=${f(cold.wallMs.p50)} ms p95=${f(cold.wallMs.p95)} ms`,
    `kiosk cold start (fresh Chromium process → interactive): ${f(cold.browserLaunchToInteractiveMs)} ms`,
  ].join('\n');
}
