/**
 * Where a process's resident memory is, by kind of mapping (/proc/<pid>/smaps): glibc's main heap
 * (`[heap]`, what malloc serves below MALLOC_MMAP_THRESHOLD_ on the main arena), the node binary's
 * own pages, shared libraries, thread stacks and other files, and anonymous mappings (V8's heap
 * pages, other threads' malloc arenas, large mmap'd blocks). MiB by kind. And the one reader of a
 * process's whole resident figure the benches share (residentMiB, /proc/<pid>/status).
 */
import { readFileSync } from 'node:fs';

export function residentByMapping(pid: number): Map<string, number> {
  const by = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    // A mapping's header: range, perms, offset, device, inode, then its name if it has one.
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      kind = !name ? 'anonymous' : !name.startsWith('/') ? name : /\.(so|node)(\.|$)/.test(name) ? 'libraries' : name.endsWith('/node') ? 'node binary' : 'other files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) by.set(kind, (by.get(kind) ?? 0) + Number(rss[1]) / 1024);
  }
  return by;
}

/** `residentByMapping` as text, largest first. */
export function residentText(pid: number): string {
  return [...residentByMapping(pid)]
    .filter(([, mib]) => mib >= 0.1)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, mib]) => `${kind} ${mib.toFixed(1)}`)
    .join(', ');
}

/** A process's resident memory now (VmRSS), at its peak (VmHWM), or of one kind (RssAnon, RssFile), MiB, from /proc/<pid>/status. */
export function residentMiB(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}
