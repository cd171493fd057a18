// Run as a process of its own by disk-probe.ts (DISK_PROBE=1 on profile-latency.ts): every
// `everyMs`, overwrite the first 8 kB of `file` and fdatasync it, as PostgreSQL does at a COMMIT
// (one WAL page written, then the sync), and print how long that took with its wall-clock start
// ("hcp-sync 0.41 1764680000123.4"). A process apart from the gateway, its load generator and the
// server: what it sees is the disk and the machine, not any of theirs.
import { fdatasyncSync, openSync, writeSync } from 'node:fs';

const [file, everyMs = '20'] = process.argv.slice(2);
const fd = openSync(file, 'w');
const page = Buffer.alloc(8192, 0x61);
setInterval(() => {
  const t = performance.now();
  writeSync(fd, page, 0, page.length, 0);
  fdatasyncSync(fd);
  process.stdout.write(`hcp-sync ${(performance.now() - t).toFixed(2)} ${(performance.timeOrigin + t).toFixed(1)}\n`);
}, Number(everyMs));
