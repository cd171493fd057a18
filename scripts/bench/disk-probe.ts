/**
 * Whether the disk itself stalls (issue 14: the slow COMMITs in PostgreSQL's log during a latency
 * round — the server's, or the disk's?). A process of its own (disk-probe.mjs) writes 8 kB and
 * fdatasyncs it every 20 ms in a folder on the disk under study; the syncs are read back per round
 * and set on the round's timeline beside the slow acks and the server's slow COMMITs
 * (profile-latency.ts, DISK_PROBE=1). The machine's own pressure stall counters
 * (/proc/pressure, PSI) say how long, in the round, some task waited for I/O or for a CPU.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { quantile } from './latency.js';

export interface Sync {
  /** Wall-clock start, ms. */
  at: number;
  ms: number;
}

export interface DiskProbe {
  /** The syncs that started at or after `from` (wall-clock ms). */
  since(from: number): Sync[];
  stop(): void;
}

/** Every 20 ms, as syncsText says. */
const EVERY_MS = 20;

export function startDiskProbe(folder: string): DiskProbe {
  const syncs: Sync[] = [];
  const child = spawn(process.execPath, [join(import.meta.dirname, 'disk-probe.mjs'), join(folder, 'disk-probe.bin'), String(EVERY_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /^hcp-sync ([\d.]+) ([\d.]+)$/.exec(line);
    if (m) syncs.push({ ms: Number(m[1]), at: Number(m[2]) });
  });
  return { since: (from) => syncs.filter((s) => s.at >= from), stop: () => child.kill() };
}

/** A round's syncs in a line: how many, their p50/p99/longest, and each over `overMs` at its start (seconds into the round). */
export function syncsText(syncs: Sync[], roundStart: number, overMs = 5): string {
  if (syncs.length === 0) return "  the disk probe's syncs: none (the probe did not run)";
  const ms = syncs.map((s) => s.ms).sort((a, b) => a - b);
  const slow = syncs.filter((s) => s.ms > overMs).map((s) => `${((s.at - roundStart) / 1000).toFixed(2)} s ${s.ms.toFixed(0)} ms`);
  return `  the disk probe's 8-kB write + fdatasync (another process, every ${EVERY_MS} ms): ${syncs.length}, p50 ${quantile(ms, 0.5).toFixed(2)} ms, p99 ${quantile(ms, 0.99).toFixed(1)} ms, longest ${ms.at(-1)!.toFixed(1)} ms; over ${overMs} ms: ${slow.join(', ') || 'none'}`;
}

/** The kernel's pressure stall totals (µs): some task waiting for I/O, all waiting for I/O, some waiting for a CPU. */
export interface Pressure {
  ioSome: number;
  ioFull: number;
  cpuSome: number;
}

export function pressureNow(): Pressure | null {
  try {
    const total = (file: string, line: 'some' | 'full') => Number(new RegExp(`^${line} .*total=(\\d+)`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? Number.NaN);
    return { ioSome: total('/proc/pressure/io', 'some'), ioFull: total('/proc/pressure/io', 'full'), cpuSome: total('/proc/pressure/cpu', 'some') };
  } catch {
    return null;
  }
}

export function pressureText(before: Pressure | null, after: Pressure | null, seconds: number): string {
  if (!before || !after) return "  the machine's pressure stalls: not available (no /proc/pressure)";
  const share = (a: number, b: number) => `${((b - a) / 1000).toFixed(0)} ms (${(((b - a) / 1e6 / seconds) * 100).toFixed(1)}%)`;
  return `  the machine's pressure stalls in the round (/proc/pressure): some task waiting for I/O ${share(before.ioSome, after.ioSome)}, every task ${share(before.ioFull, after.ioFull)}; some task waiting for a CPU ${share(before.cpuSome, after.cpuSome)}`;
}
