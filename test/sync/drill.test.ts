/** Issue 3, "Must show" 1: the exactly-once drill against the gateway's embedded aedes. */
import { describe, it } from 'vitest';
import { runDrill } from './drill-run.js';

describe('exactly once through kills and cuts (embedded aedes)', () => {
  const devices = Number(process.env.HCP_DRILL_DEVICES ?? 50);
  it(`${devices} devices, gateway and device kill -9s, network cuts`, async () => {
    await runDrill({ devices, runMs: Number(process.env.HCP_DRILL_MS ?? 40_000), label: 'embedded aedes' });
  }, 300_000);
});
