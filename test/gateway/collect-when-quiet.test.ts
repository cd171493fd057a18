/**
 * gateway/memory/collect-when-quiet.ts: one collection per quiet spell after stored records, never
 * while they keep arriving, nothing at all where node does not expose gc. (The logic, on fake
 * timers; test/gateway/memory-switches.test.ts shows the gateway run as the unit runs it doing it.)
 */
import pino from 'pino';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { CollectWhenQuiet } from '../../gateway/memory/collect-when-quiet.js';

const logger = pino({ level: 'silent' });
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('collects once, quietMs after the last stored records, and not again until records come again', () => {
  const collect = vi.fn();
  const c = new CollectWhenQuiet({ collect, logger, quietMs: 1000, now: () => Date.now(), heapBytes: () => 100 * 1048576 });
  // Records every 400 ms for 2 s: never quiet for a second.
  for (let i = 0; i < 5; i++) {
    c.activity();
    vi.advanceTimersByTime(400);
  }
  expect(collect).not.toHaveBeenCalled();
  vi.advanceTimersByTime(599);
  expect(collect).not.toHaveBeenCalled();
  vi.advanceTimersByTime(1);
  expect(collect).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(60_000);
  expect(collect).toHaveBeenCalledTimes(1);
  c.activity();
  vi.advanceTimersByTime(1000);
  expect(collect).toHaveBeenCalledTimes(2);
  // One timer at a time, however many records arrive.
  for (let i = 0; i < 1000; i++) c.activity();
  expect(vi.getTimerCount()).toBe(1);
  c.stop();
  expect(vi.getTimerCount()).toBe(0);
  vi.advanceTimersByTime(5000);
  expect(collect).toHaveBeenCalledTimes(2);
});

it('collects again, 2 s apart, while a collection still gives back a MiB, at most four times', () => {
  // Each collection gives back less: 60, 30, 0.5 MiB.
  const heaps = [160, 100, 100, 70, 70, 69.5].map((m) => m * 1048576);
  const collect = vi.fn();
  const logged: unknown[] = [];
  const spy = { ...logger, debug: (o: unknown) => logged.push(o) } as unknown as typeof logger;
  const c = new CollectWhenQuiet({ collect, logger: spy, quietMs: 1000, now: () => Date.now(), heapBytes: () => heaps.shift()! });
  c.activity();
  vi.advanceTimersByTime(1000);
  expect(collect).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(1999);
  expect(collect).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(1);
  expect(collect).toHaveBeenCalledTimes(2);
  vi.advanceTimersByTime(2000);
  expect(collect).toHaveBeenCalledTimes(3);
  vi.advanceTimersByTime(60_000);
  expect(collect).toHaveBeenCalledTimes(3);
  expect(logged).toEqual([{ collections: 3, heapBeforeMiB: 160, heapAfterMiB: 69.5, tookMs: expect.any(Number) }]);
});

it('stops collecting when records come again, and starts over after the next quiet spell', () => {
  const collect = vi.fn();
  let heap = 500 * 1048576;
  const c = new CollectWhenQuiet({ collect, logger, quietMs: 1000, now: () => Date.now(), heapBytes: () => (heap -= 10 * 1048576) });
  c.activity();
  vi.advanceTimersByTime(1000);
  expect(collect).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(1500);
  c.activity(); // a burst starts between two rounds
  vi.advanceTimersByTime(500);
  expect(collect).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(500);
  expect(collect).toHaveBeenCalledTimes(2);
  // Never more than four in one spell, however much each gives back.
  vi.advanceTimersByTime(60_000);
  expect(collect).toHaveBeenCalledTimes(5);
});

it('schedules nothing where node does not expose gc', () => {
  const c = new CollectWhenQuiet({ collect: null, logger, quietMs: 1000 });
  c.activity();
  expect(vi.getTimerCount()).toBe(0);
});

it('finds gc only where node exposes it (--expose-gc)', () => {
  const g = globalThis as { gc?: unknown };
  const own = g.gc;
  try {
    g.gc = undefined;
    expect(CollectWhenQuiet.exposedGc()).toBeNull();
    const gc = vi.fn();
    g.gc = gc;
    CollectWhenQuiet.exposedGc()!();
    expect(gc).toHaveBeenCalledTimes(1);
  } finally {
    g.gc = own;
  }
});
