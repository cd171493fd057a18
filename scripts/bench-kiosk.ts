/**
 * bench:kiosk — press → on-screen acknowledgement (p50/p95) and cold start → interactive, measured
 * in Debian's Chromium against a real device runtime. `npx tsx scripts/bench-kiosk.ts [presses] [starts]`.
 * Baseline in the same run: an empty page's frame time (rAF → after-paint) on the same browser, so
 * the figures can be read against what the machine itself costs.
 */
import { BADGE, percentile, startStand, waitScreen } from '../test/kiosk/kiosk-harness.js';
import { formatFigures, measureColdStart, measurePressAck } from '../test/kiosk/measure.js';

const presses = Number(process.argv[2] ?? 100);
const starts = Number(process.argv[3] ?? 10);
const stand = await startStand({ name: 'bench', deviceConfig: { thanksTimeoutSec: 60 } });
try {
  await stand.page.goto(stand.kioskUrl);
  await stand.device.api('POST', '/api/badge', { uid: BADGE });
  await waitScreen(stand.page, 'idle');
  const press = await measurePressAck(stand, presses);
  const cold = await measureColdStart(stand, starts);
  // Baseline: the bare frame cost on this machine (rAF + message after paint), no work done.
  const frames = await stand.page.evaluate(async () => {
    const xs: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await new Promise<void>((r) =>
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => r();
          ch.port2.postMessage(0);
        }),
      );
      xs.push(performance.now() - t0);
    }
    return xs;
  });
  const base = percentile(frames, 50);
  process.stdout.write(`${formatFigures(press, cold)}\n`);
  process.stdout.write(`baseline bare frame (rAF → after paint): p50=${base.toFixed(1)} ms; press ack p50 / baseline = ${(press.p50 / base).toFixed(2)}×\n`);
} finally {
  await stand.stop();
}
