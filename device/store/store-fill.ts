/**
 * How full the device's store is, 0–1: of its size cap (`store.maxSizeMiB`, SQLite's
 * max_page_count) when one is set — pages in use, not counting the free list pruning leaves for
 * reuse — else of the disk the data dir is on (statfs). Reported in the device's status and
 * watched by the retention (device/retention/store-retention.ts).
 */
import { statfsSync } from 'node:fs';
import type { Db } from './database.js';

/** statfs is a syscall: read the disk at most this often. */
const DISK_READ_EVERY_MS = 10_000;

export class StoreFill {
  private disk: { at: number; fill: number | undefined } | null = null;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly capped: boolean,
  ) {}

  read(): number | undefined {
    if (this.capped) {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const free = this.db.pragma('freelist_count', { simple: true }) as number;
      const max = this.db.pragma('max_page_count', { simple: true }) as number;
      return clamp((pages - free) / max);
    }
    const t = performance.now();
    if (!this.disk || t - this.disk.at > DISK_READ_EVERY_MS) this.disk = { at: t, fill: this.readDisk() };
    return this.disk.fill;
  }

  private readDisk(): number | undefined {
    try {
      const s = statfsSync(this.dataDir);
      return s.blocks > 0 ? clamp(1 - s.bavail / s.blocks) : undefined;
    } catch {
      return undefined;
    }
  }
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
