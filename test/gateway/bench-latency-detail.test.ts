/**
 * What docs/POSTGRES.md promises of `LATENCY_DETAIL=1` on bench:gateway's press→ack rounds: each
 * round prints its slowest acks beside the load generator's own stalls and collections, so that a
 * delay of the bench's own is not read as the gateway's. On a bare aedes on loopback (the bench's
 * baseline path), with a stall of the generator made on purpose during the round.
 */
import { createServer, type Server } from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { steadyLatency } from '../../scripts/bench/latency.js';
import { connectAll, disconnectAll, rawDevice, type SimDevice } from '../../scripts/bench/sim-devices.js';

let broker: Aedes;
let server: Server;
let url: string;
const devices: SimDevice[] = Array.from({ length: 3 }, (_, i) => rawDevice(`dev-detail-${i}`));

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  await connectAll(url, devices, null, (id) => `ack/${id}`);
});
afterAll(async () => {
  await disconnectAll(devices);
  await new Promise((r) => server.close(r));
  await new Promise<void>((r) => broker.close(() => r()));
});

it('LATENCY_DETAIL=1 prints the round’s slowest acks and the load generator’s stalls beside them', async () => {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  process.env.LATENCY_DETAIL = '1';
  // The generator holds its own event loop for 60 ms half way through the round.
  const stall = setTimeout(() => {
    const until = performance.now() + 60;
    while (performance.now() < until);
  }, 500);
  try {
    const before = Date.now();
    const l = await steadyLatency(devices, 20, 1, false);
    expect(l.count).toBe(20);
    // The round's start on the wall clock, where profile-latency.ts places the gateway's own events.
    expect(l.startedAt).toBeGreaterThanOrEqual(before - 1);
    expect(l.startedAt).toBeLessThan(Date.now() - 1000);
  } finally {
    clearTimeout(stall);
    delete process.env.LATENCY_DETAIL;
    log.mockRestore();
  }
  const lines = printed.join('\n').split('\n');
  const stalls = lines.find((x) => x.includes('load generator stalls over 15 ms:'));
  expect(stalls).toBeDefined();
  expect([...stalls!.matchAll(/(\d+\.\d\d) s (\d+) ms/g)].some((m) => Number(m[1]) >= 0.4 && Number(m[2]) >= 60)).toBe(true);
  expect(lines.some((x) => x.startsWith('  load generator collections over 5 ms:'))).toBe(true);
  const slowest = lines.find((x) => x.startsWith('  slowest acks (sent at: took):'));
  expect(slowest?.match(/\d+\.\d\d s: \d+ ms/g)?.length).toBe(20);
});

it('prints nothing of it without LATENCY_DETAIL', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await steadyLatency(devices, 20, 1, false);
    expect(log).not.toHaveBeenCalled();
  } finally {
    log.mockRestore();
  }
});

it("collects the generator's own heap before the round's clock starts (the payloads it just made)", async () => {
  const full: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full.push(performance.timeOrigin + e.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    const before = Date.now();
    const l = await steadyLatency(devices, 20, 1, false);
    // Entries reach the observer after the collection: give it a turn.
    await new Promise((r) => setTimeout(r, 50));
    expect(full.some((at) => at >= before - 1 && at <= l.startedAt)).toBe(true);
  } finally {
    observer.disconnect();
  }
});
