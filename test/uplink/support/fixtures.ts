/**
 * Test fixtures: a gateway-shaped SQLite file (the `records` table exactly as the core store
 * defines it) filled with real hash-chained, Ed25519-signed records.
 */
import Database from 'better-sqlite3';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { GENESIS_HASH, type ChainRecord, type DetailRecord, type RatingRecord } from '../../../device/contract/index.js';
import { hashRecord, signHash } from '../../../device/contract/chain.js';

export function openRecordsDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS records (
    ingest_seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL,
    seq INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, window_id TEXT, level INTEGER,
    body TEXT NOT NULL, stored_at TEXT NOT NULL, UNIQUE (device_id, seq))`);
  return db;
}

export class FakeDevice {
  private seq = 0;
  private prev = GENESIS_HASH;
  private readonly key: KeyObject = generateKeyPairSync('ed25519').privateKey;

  constructor(readonly deviceId: string, readonly windowId: string, readonly staffId = 'staff-07') {}

  rating(at: Date, level: 1 | 2 | 3 | 4 | 5, inv: { caseNo?: string; itemCode?: string; itemName?: string } = {}, id = uuidv7()): RatingRecord {
    return this.seal<RatingRecord>({
      kind: 'rating', id, hash: '', sig: '', deviceId: this.deviceId, seq: ++this.seq, prevHash: this.prev, at: at.toISOString(),
      level, channel: 'device-touch', catalogueVersion: '2020.1', windowId: this.windowId, staffId: this.staffId,
      invitation: { id: uuidv7(), source: inv.caseNo ? 'case' : 'staff', ...inv, invitedAt: new Date(at.getTime() - 30_000).toISOString() },
      facts: { msFromInvitation: 30_000, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 0, flags: [] },
    });
  }

  detail(rating: RatingRecord, at: Date, reasons: number[], comment?: string, id = uuidv7()): DetailRecord {
    return this.seal<DetailRecord>({
      kind: 'detail', id, hash: '', sig: '', deviceId: this.deviceId, seq: ++this.seq, prevHash: this.prev, at: at.toISOString(),
      ratingId: rating.id, reasons, ...(comment ? { comment } : {}),
      contact: { alg: 'x25519-aes256gcm', keyId: 'hall-1', epk: 'ZXBr', iv: 'aXY=', ct: 'MTM5MDAwMDAwMDA=', tag: 'dGFn' },
    });
  }

  private seal<T extends ChainRecord>(r: T): T {
    const { hash: _h, sig: _s, ...unsigned } = r;
    const hash = hashRecord(unsigned as never);
    this.prev = hash;
    return { ...r, hash, sig: signHash(hash, this.key) };
  }
}

export function storeRecords(db: Database.Database, records: ChainRecord[], storedAt = new Date()): void {
  const ins = db.prepare('INSERT INTO records (id, device_id, seq, kind, at, window_id, level, body, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of records) {
      ins.run(r.id, r.deviceId, r.seq, r.kind, r.at, r.kind === 'rating' ? r.windowId : null, r.kind === 'rating' ? r.level : null, JSON.stringify(r), storedAt.toISOString());
    }
  })();
}
