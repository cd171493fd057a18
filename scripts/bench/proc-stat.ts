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
}

/** `/proc/PID/stat` or `/proc/PID/task/TID/stat`; null once it is gone. */
export function procStat(statFile: string): ProcStat | null {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // "pid (comm) state ppid …": a name may hold spaces and parentheses, so the fields are counted
    // after the last ')'; utime and stime are the 14th and 15th, cutime and cstime the 16th and
    // 17th, in clock ticks (100 a second).
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(f[1]),
      cpuSeconds: (Number(f[11]) + Number(f[12])) / 100,
      endedChildrenCpuSeconds: (Number(f[13]) + Number(f[14])) / 100,
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

/** CPU seconds (user + system) so far of every process on the machine (or thread of one: /proc/PID/task), by id, with its name. */
export function cpuByProcess(root = '/proc'): Map<number, { name: string; s: number }> {
  const out = new Map<number, { name: string; s: number }>();
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
    out.set(id, { name, s: stat.cpuSeconds });
  }
  return out;
}

/**
 * The CPU seconds each thread of process `pid` used between two readings of
 * cpuByProcess(`/proc/<pid>/task`), most first: "main 1.90, new node 10371 1.39, node 10347 0.37".
 * Node names none of its threads (each is "node"): the main one is the pid, the checking thread one
 * started since the first reading ("new"), the rest V8's helpers (its collector's) and libuv's pool.
 */
export function threadCpuText(pid: number, before: Map<number, { name: string; s: number }>, after: Map<number, { name: string; s: number }>): string {
  return [...after]
    .map(([tid, t]) => [tid, t.name, t.s - (before.get(tid)?.s ?? 0)] as const)
    .filter(([, , s]) => s >= 0.01)
    .sort((a, b) => b[2] - a[2])
    .map(([tid, name, s]) => `${tid === pid ? 'main' : `${before.has(tid) ? '' : 'new '}${name} ${tid}`} ${s.toFixed(2)}`)
    .join(', ');
}
