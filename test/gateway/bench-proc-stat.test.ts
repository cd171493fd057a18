/**
 * The kernel's part of a bench's CPU figures (scripts/bench/proc-stat.ts): each thread's time in the
 * kernel and its page faults, as pg-backlog-probe.ts prints them, and fault-cost.ts, which docs/POSTGRES.md
 * cites for what a fault costs on this machine.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type CpuSoFar, cpuBoundText, procStat, threadKernelText } from '../../scripts/bench/proc-stat.js';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

it('reads the page faults and kernel time of a process from /proc', () => {
  const before = procStat('/proc/self/stat')!;
  // 32 MiB zero-filled: fresh pages, each a minor fault when first written (4 KiB pages, no huge pages by default).
  const touched = Buffer.alloc(32 * 1024 * 1024, 1);
  const after = procStat('/proc/self/stat')!;
  expect(touched[touched.length - 1]).toBe(1);
  expect(after.minorFaults - before.minorFaults).toBeGreaterThan(2048);
  expect(after.systemSeconds).toBeGreaterThanOrEqual(before.systemSeconds);
  expect(after.systemSeconds).toBeLessThanOrEqual(after.cpuSeconds);
});

it("prints each thread's kernel time and faults between two readings, most faults first, the quiet ones left out", () => {
  const at = (s: number, sys: number, faults: number): CpuSoFar => ({ name: 'node', s, sys, faults });
  const before = new Map([
    [100, at(5, 1, 1000)],
    [101, at(1, 0.1, 50)],
    [102, at(1, 0.1, 50)],
  ]);
  const after = new Map([
    [100, at(7, 1.41, 22_380)],
    [101, at(1.2, 0.13, 3050)],
    [102, at(1, 0.1, 90)], // 40 faults, no kernel time: left out
    [103, at(1.3, 0.12, 16_204)], // started between the readings
  ]);
  expect(threadKernelText(100, before, after)).toBe('main 0.41 s, 21,380 faults; new node 103 0.12 s, 16,204 faults; node 101 0.03 s, 3,000 faults');
});

it("prints what a run's CPU alone allows on the machine's cores, next to the run's own time", () => {
  // 5.5 s of CPU on 2 cores: no run under 2.75 s; one of 4.13 s is 1.50× that.
  expect(cpuBoundText(5.5, 2, 4.13)).toBe('5.50 s of CPU in all: on 2 cores no less than 2.75 s (this took 4.13 s, 1.50× that)');
  expect(cpuBoundText(3, 4, 0.75)).toBe('3.00 s of CPU in all: on 4 cores no less than 0.75 s (this took 0.75 s, 1.00× that)');
});

it('fault-cost.ts measures the faults of a batch decoded as one string against the same bytes in pieces', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/fault-cost.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ROUNDS: '1', BENCH_QUIET_WAIT_S: '5' },
  });
  const line = (name: string) => new RegExp(`^${name}: (\\d+) µs a decode, (\\d+\\.\\d) page faults, (\\d+) µs in the kernel$`, 'm').exec(out);
  const whole = line('as one string \\(large-object space\\)');
  const pieces = line('in pieces of 65,536 bytes \\(young heap\\)');
  expect(whole, out).not.toBeNull();
  expect(pieces, out).not.toBeNull();
  // Some 350 kB on pages of its own: about one fault per 4 kB, each decode; the pieces reuse the young heap,
  // all but the odd page the heap still maps as it grows (up to 8.6 a decode seen on a CI machine, 0 here).
  expect(Number(whole![2])).toBeGreaterThan(60);
  expect(Number(pieces![2])).toBeLessThan(Number(whole![2]) / 4);
  expect(out).toMatch(/^the kernel's time per page fault: \d+\.\d µs \(\d+ µs more for \d+\.\d more faults a decode\)$/m);
}, 120_000);
