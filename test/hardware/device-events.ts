/** Read the device's operational events and ratings from its SQLite file (read-only), as hall IT would. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { waitUntil } from '../../scripts/lib/wait-until.js';

export function countEvents(dataDir: string, kind: string): number {
  const db = new Database(join(dataDir, 'device.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM events WHERE kind = ?').get(kind) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Poll until `check` is true or the time is up (every 20 ms unless told). */
export const waitFor = (check: () => boolean | Promise<boolean>, ms = 5000, step = 20): Promise<boolean> => waitUntil(check, ms, step);
