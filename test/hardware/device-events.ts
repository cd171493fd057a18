/** Read the device's operational events and ratings from its SQLite file (read-only), as hall IT would. */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export function countEvents(dataDir: string, kind: string): number {
  const db = new Database(join(dataDir, 'device.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM events WHERE kind = ?').get(kind) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Poll until `check` is true or the time is up; returns the last value of `check`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000, step = 20): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, step));
  }
}
