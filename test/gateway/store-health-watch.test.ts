/**
 * GET /health's probes of the store (gateway/store/store-health.ts): one probe answers every
 * request of the next second, requests during a probe share it, and a change of answer is logged
 * once. Above the store's interface, with a store that answers what the test says; the real
 * stores' answers are in test/gateway/health.test.ts and test/pg/store-health.test.ts.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { StoreHealth } from '../../gateway/store/database.js';
import { HEALTH_FRESH_MS, StoreHealthWatch } from '../../gateway/store/store-health.js';

function setup() {
  let answer: StoreHealth = { ok: true };
  let release: (() => void) | null = null;
  const probes = { count: 0, hold: false };
  const store = {
    health: async (): Promise<StoreHealth> => {
      probes.count++;
      if (probes.hold) await new Promise<void>((r) => (release = r));
      if (answer.ok === false && answer.problem === 'throws') throw new Error('socket gone');
      return answer;
    },
  };
  const lines: string[] = [];
  let now = 0;
  const watch = new StoreHealthWatch(store, pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }), () => now);
  return {
    watch,
    probes,
    lines: () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; problem?: string }),
    set: (a: StoreHealth) => (answer = a),
    advance: (ms: number) => (now += ms),
    release: () => release?.(),
  };
}

describe('StoreHealthWatch', () => {
  it('probes at most once a second whatever asks, and requests during a probe share it', async () => {
    const t = setup();
    t.probes.hold = true;
    const during = [t.watch.current(), t.watch.current(), t.watch.current()];
    t.release();
    expect(await Promise.all(during)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(t.probes.count).toBe(1);
    t.probes.hold = false;
    t.advance(HEALTH_FRESH_MS - 1);
    await t.watch.current();
    expect(t.probes.count).toBe(1);
    t.advance(1);
    await t.watch.current();
    expect(t.probes.count).toBe(2);
  });

  it('logs a change of answer once, with the problem, and the return', async () => {
    const t = setup();
    await t.watch.current();
    expect(t.lines()).toEqual([]);
    t.set({ ok: false, problem: 'the database takes no writes' });
    for (let i = 0; i < 3; i++) {
      t.advance(HEALTH_FRESH_MS);
      expect(await t.watch.current()).toEqual({ ok: false, problem: 'the database takes no writes' });
    }
    t.set({ ok: false, problem: 'the database cannot be reached' });
    t.advance(HEALTH_FRESH_MS);
    await t.watch.current();
    t.set({ ok: true });
    t.advance(HEALTH_FRESH_MS);
    await t.watch.current();
    t.advance(HEALTH_FRESH_MS);
    await t.watch.current();
    expect(t.lines().map((l) => [l.level, l.problem ?? null, l.msg])).toEqual([
      [40, 'the database takes no writes', expect.stringMatching(/cannot take writes: \/health answers 503/)],
      [40, 'the database cannot be reached', expect.stringMatching(/cannot take writes/)],
      [30, null, expect.stringMatching(/takes writes again: \/health answers 200/)],
    ]);
  });

  it('answers a probe that throws as a problem, not as an error of the request', async () => {
    const t = setup();
    t.set({ ok: false, problem: 'throws' });
    expect(await t.watch.current()).toEqual({ ok: false, problem: "the store's health could not be asked: socket gone" });
  });
});
