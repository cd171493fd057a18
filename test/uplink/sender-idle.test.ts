/**
 * An idle uplink stays idle: every pump wakes the sender's idle workers (uplink-feature.ts), and a
 * wake must not leave the interrupted wait behind. It used to: each woken idle wait kept its timer
 * and its abort listener until `idleMs` ran out, so with a short pump interval the listeners piled
 * up on the sender's signal and Node printed MaxListenersExceededWarning in every such test.
 * Real store, real simulator over loopback, the sender's own sleep; only the pump interval is short.
 */
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProvinceSim } from '../../scripts/province-sim/sim-server.js';
import { abortableSleep } from '../../gateway/uplink/sender.js';
import type { UplinkFeature } from '../../gateway/uplink/uplink-feature.js';
import { until } from './support/fixtures.js';
import { referenceAdapter, UplinkRig } from './support/rig.js';

const CONCURRENCY = 4;
const ROUNDS = 40;

let rig: UplinkRig;
let sim: ProvinceSim;
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);

beforeEach(async () => {
  rig = await UplinkRig.open();
  sim = await rig.startSimulator();
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(async () => {
  process.off('warning', onWarning);
  await rig.close();
});

/** Counts the pumps' wake-ups of the sender (each wakes every idle worker). */
function countWakes(f: UplinkFeature): () => number {
  let wakes = 0;
  const poke = f.sender.poke.bind(f.sender);
  f.sender.poke = () => {
    wakes++;
    poke();
  };
  return () => wakes;
}

/** Lets a warning emitted on the last round (process.emitWarning defers it) arrive. */
const warningsDelivered = () => new Promise((r) => setTimeout(r, 50));

describe('uplink sender at rest', () => {
  it(`keeps at most one abort listener per idle worker after ${ROUNDS} pump rounds`, async () => {
    const signals = new Set<AbortSignal>();
    const f = rig.uplink(referenceAdapter(sim), {
      outbox: { pumpEveryMs: 10, concurrency: CONCURRENCY },
      sending: {
        // Long idle waits, as in the gateway (1 s by default): every one is cut short by a pump.
        idleMs: 60_000,
        sleep: (ms, signal) => {
          signals.add(signal);
          return abortableSleep(ms, signal);
        },
      },
    });
    const wakes = countWakes(f);
    await f.start();
    await until(() => wakes() >= ROUNDS, 30_000, `${ROUNDS} pump rounds`);
    await warningsDelivered();
    const listeners = [...signals].reduce((n, s) => n + getEventListeners(s, 'abort').length, 0);
    expect(listeners).toBeLessThanOrEqual(CONCURRENCY);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    // Stopping still ends every wait at once.
    const stopping = Date.now();
    await f.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
  });

  it('prints no MaxListenersExceededWarning with the default sleep and a short pump interval', async () => {
    const f = rig.uplink(referenceAdapter(sim), { outbox: { pumpEveryMs: 10, concurrency: CONCURRENCY }, sending: { idleMs: 60_000 } });
    const wakes = countWakes(f);
    await f.start();
    await until(() => wakes() >= ROUNDS, 30_000, `${ROUNDS} pump rounds`);
    await warningsDelivered();
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
  });
});
