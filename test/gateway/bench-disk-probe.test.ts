/**
 * profile-latency.ts's DISK_PROBE=1 (scripts/bench/disk-probe.ts): another process writes 8 kB and
 * fdatasyncs it every 20 ms, on the disk under study, and its syncs come back with their
 * wall-clock starts, so that a round can set them beside its slow acks; the round's line gives
 * their count, quantiles and each one over the threshold, in seconds into the round.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { pressureNow, pressureText, startDiskProbe, syncsText } from '../../scripts/bench/disk-probe.js';

const folder = mkdtempSync(join(tmpdir(), 'disk-probe-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it('times a write and fdatasync every 20 ms in a process of its own, each with its start', async () => {
  const probe = startDiskProbe(folder);
  // The window starts at the probe's first sync, not at its spawn: a node process can take a
  // second to start on a loaded machine, and the count below is of the syncs in the window.
  await waitFor(() => probe.since(0).length > 0 || undefined, { what: "the probe's first sync" });
  const from = Date.now();
  await new Promise((r) => setTimeout(r, 700));
  probe.stop();
  const syncs = probe.since(from);
  // About 35 in 700 ms; a loaded machine gets fewer, never none.
  expect(syncs.length).toBeGreaterThanOrEqual(10);
  expect(syncs.length).toBeLessThanOrEqual(40);
  for (const s of syncs) {
    expect(s.at).toBeGreaterThanOrEqual(from);
    expect(s.at).toBeLessThanOrEqual(Date.now());
    expect(s.ms).toBeGreaterThan(0);
  }
  // In order, about 20 ms apart.
  expect(syncs.every((s, i) => i === 0 || s.at > syncs[i - 1]!.at + 10)).toBe(true);
  // One page, overwritten in place: the file does not grow.
  expect(statSync(join(folder, 'disk-probe.bin')).size).toBe(8192);
});

it("prints a round's syncs: count, quantiles, and each over the threshold in seconds into the round", () => {
  const start = 1_764_680_000_000;
  const syncs = [...Array.from({ length: 98 }, (_, i) => ({ at: start + i * 20, ms: 0.4 })), { at: start + 2450, ms: 51.2 }, { at: start + 7460, ms: 6.3 }];
  expect(syncsText(syncs, start)).toBe(
    "  the disk probe's 8-kB write + fdatasync (another process, every 20 ms): 100, p50 0.40 ms, p99 6.3 ms, longest 51.2 ms; over 5 ms: 2.45 s 51 ms, 7.46 s 6 ms",
  );
  expect(syncsText([], start)).toContain('none');
});

it("prints the machine's pressure stalls over a round, or says they are not there", () => {
  const before = { ioSome: 1_000_000, ioFull: 500_000, cpuSome: 2_000_000 };
  const after = { ioSome: 1_190_000, ioFull: 610_000, cpuSome: 3_480_000 };
  expect(pressureText(before, after, 9)).toBe(
    "  the machine's pressure stalls in the round (/proc/pressure): some task waiting for I/O 190 ms (2.1%), every task 110 ms (1.2%); some task waiting for a CPU 1480 ms (16.4%)",
  );
  expect(pressureText(null, after, 9)).toContain('not available');
  // On this machine's kernel the counters are there and only grow.
  const now = pressureNow();
  if (now) expect(Object.values(now).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
});
