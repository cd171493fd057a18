/**
 * A host too busy to read its panel for a moment (garbage collection, a slow disk, load), made
 * exact: the panel worker process is stopped (SIGSTOP) while the panel acts, so whatever the board
 * sends meanwhile waits in the tty and arrives in one read when it runs again (SIGCONT).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The pid of the panel worker this process forked (PanelRig runs the device program in-process), or null. */
export function panelWorkerPid(): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('panel-worker')) return Number(entry);
    } catch {
      // The process ended while we looked: not the one.
    }
  }
  return null;
}

/** Run `act` while process `pid` is stopped; it runs again afterwards, whatever `act` did. */
export async function whileStopped<T>(pid: number, act: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await act();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
