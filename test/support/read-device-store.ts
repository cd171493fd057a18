/** Read a device's SQLite store from outside (read-only), as hall IT's tools and tests do. */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { ChainRecord } from '../../device/contract/index.js';

/** Through which seq the gateway has acknowledged the device's records. */
export function readAckedThrough(dataDir: string): number {
  const db = new Database(join(dataDir, 'device.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT acked_through_seq AS s FROM outbox_ack WHERE id = 1').get() as { s: number }).s;
  } finally {
    db.close();
  }
}

export function readDeviceRecords(dataDir: string): ChainRecord[] {
  const db = new Database(join(dataDir, 'device.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT body FROM records ORDER BY seq').all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as ChainRecord);
  } finally {
    db.close();
  }
}
