/**
 * A process's (or a thread's) line of /proc, for the benches' CPU figures (profile-latency.ts,
 * code-ab.ts, profile-ingest.ts): its name, its parent and the CPU it has used so far.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ProcStat {
  comm: string;
  ppid: number;
  /** User + system, every thread of a process. */
  cpuSeconds: number;
  /** User + system of its children that have ended and been waited for (PostgreSQL's backends that closed). */
  endedChildrenCpuSeconds: number;
  /** The part of cpuSeconds spent in the kernel (system calls, page faults). */
  systemSeconds: number;
  /** Page faults served without a read from disk: mostly a first touch of memory just mapped. */
  minorFaults: number;
}

/** `/proc/PID/stat` or `/proc/PID/task/TID/stat`; null once it is gone. */
export function procStat(statFile: string): ProcStat | null {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // "pid (comm) state ppid …": a name may hold spaces and parentheses, so the fields are counted
    // after the last ')'; minflt is the 10th, utime and stime the 14th and 15th, cutime and
    // cstime the 16th and 17th, in clock ticks (100 a second).
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(f[1]),
      cpuSeconds: (Number(f[11]) + Number(f[12])) / 100,
      endedChildrenCpuSeconds: (Number(f[13]) + Number(f[14])) / 100,
      systemSeconds: Number(f[12]) / 100,
      minorFaults: Number(f[7]),
    };
  } catch {
    return null;
  }
}

/**
 * CPU seconds so far of a server and its children (PostgreSQL's postmaster, its backends and
 * helpers): the live ones, and those that ended (a pool closes idle connections: their backends' time
 * would otherwise drop out of a difference).
 */
export function serverCpuSeconds(pid: number): number {
  const server = procStat(`/proc/${pid}/stat`);
  if (!server) return 0;
  const live = procIds().filter((id) => id !== pid && procStat(`/proc/${id}/stat`)?.ppid === pid);
  return server.cpuSeconds + server.endedChildrenCpuSeconds + live.reduce((s, id) => s + (procStat(`/proc/${id}/stat`)?.cpuSeconds ?? 0), 0);
}

/** The ids under `/proc` (processes) or `/proc/PID/task` (threads). */
export function procIds(dir = '/proc'): number[] {
  return readdirSync(dir)
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** What cpuByProcess reads of one process or thread: CPU seconds (user + system), of them in the kernel, and minor page faults, so far. */
export interface CpuSoFar {
  name: string;
  s: number;
  sys: number;
  faults: number;
}

/** CPU seconds so far of every process on the machine (or thread of one: /proc/PID/task), by id, with its name. */
export function cpuByProcess(root = '/proc'): Map<number, CpuSoFar> {
  const out = new Map<number, CpuSoFar>();
  for (const id of procIds(root)) {
    const stat = procStat(`${root}/${id}/stat`);
    if (!stat) continue; // gone meanwhile
    // A node process by its script's name; anything else (and a thread) by its own.
    let cmd: string[] = [];
    try {
      if (root === '/proc') cmd = readFileSync(`/proc/${id}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      /* gone meanwhile */
    }
    const name = cmd[0]?.endsWith('node') ? `node ${basename(cmd.find((a) => a.endsWith('.js') || a.endsWith('.ts')) ?? '')}` : stat.comm;
    out.set(id, { name, s: stat.cpuSeconds, sys: stat.systemSeconds, faults: stat.minorFaults });
  }
  return out;
}

/**
 * The CPU seconds each thread of process `pid` used between two readings of
 * cpuByProcess(`/proc/<pid>/task`), most first: "main 1.90, new node 10371 1.39, node 10347 0.37".
 * Node names none of its threads (each is "node"): the main one is the pid, the checking thread one
 * started since the first reading ("new"), the rest V8's helpers (its collector's) and libuv's pool.
 */
export function threadCpuText(pid: number, before: Map<number, CpuSoFar>, after: Map<number, CpuSoFar>): string {
  return [...after]
    .map(([tid, t]) => [tid, t.name, t.s - (before.get(tid)?.s ?? 0)] as const)
    .filter(([, , s]) => s >= 0.01)
    .sort((a, b) => b[2] - a[2])
    .map(([tid, name, s]) => `${threadName(pid, tid, name, before)} ${s.toFixed(2)}`)
    .join(', ');
}

/**
 * The kernel's part of the same: each thread's seconds in the kernel and its minor page faults
 * between the two readings, most faults first: "main 0.41 s, 21,380 faults; new node 10371 0.12 s,
 * 16,204 faults". On a virtual machine a fault can cost several microseconds of the kernel's time
 * (npx tsx scripts/bench/fault-cost.ts measures it), which a V8 profile does not show.
 */
export function threadKernelText(pid: number, before: Map<number, CpuSoFar>, after: Map<number, CpuSoFar>): string {
  return [...after]
    .map(([tid, t]) => ({ tid, name: t.name, sys: t.sys - (before.get(tid)?.sys ?? 0), faults: t.faults - (before.get(tid)?.faults ?? 0) }))
    .filter((t) => t.sys >= 0.01 || t.faults >= 100)
    .sort((a, b) => b.faults - a.faults)
    .map((t) => `${threadName(pid, t.tid, t.name, before)} ${t.sys.toFixed(2)} s, ${t.faults.toLocaleString('en-US')} faults`)
    .join('; ');
}

function threadName(pid: number, tid: number, name: string, before: Map<number, CpuSoFar>): string {
  return tid === pid ? 'main' : `${before.has(tid) ? '' : 'new '}${name} ${tid}`;
}

/**
 * What the CPU alone allows: `cpuSeconds` of work (every process of a run) on `cores` takes at
 * least cpuSeconds / cores, however well it overlaps. Next to the run's own time, how far it is
 * from that (1.00× would be every core busy throughout).
 */
export function cpuBoundText(cpuSeconds: number, cores: number, wallSeconds: number): string {
  const least = cpuSeconds / cores;
  return `${cpuSeconds.toFixed(2)} s of CPU in all: on ${cores} cores no less than ${least.toFixed(2)} s (this took ${wallSeconds.toFixed(2)} s, ${(wallSeconds / least).toFixed(2)}× that)`;
}
