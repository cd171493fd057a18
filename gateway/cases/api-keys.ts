/**
 * One API key per business system, stored scrypt-hashed. Keys look like `<systemId>.<secret>` so
 * the lookup needs no scan; a verified key is remembered (by its sha256) to keep scrypt off every call.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { hashSecret, randomSecret, verifySecret } from '../store/secrets.js';

export class CaseApiKeys {
  private readonly verified = new Map<string, string>();

  constructor(private readonly db: Database.Database) {}

  /** Create or rotate the key of a business system; the key is shown once. */
  issue(systemId: string): string {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(systemId)) throw new Error('business system id must be 2-63 chars of a-z, 0-9 and -');
    const key = `${systemId}.${randomSecret(32)}`;
    this.db
      .prepare('INSERT INTO cases_api_keys (system_id, key_hash, created_at) VALUES (?, ?, ?) ON CONFLICT(system_id) DO UPDATE SET key_hash = excluded.key_hash, created_at = excluded.created_at')
      .run(systemId, hashSecret(key), new Date().toISOString());
    for (const [k, s] of this.verified) if (s === systemId) this.verified.delete(k);
    return key;
  }

  /** The business system a key belongs to, or null. */
  verify(key: string): string | null {
    const digest = createHash('sha256').update(key).digest('hex');
    const hit = this.verified.get(digest);
    if (hit) return hit;
    const systemId = key.split('.')[0] ?? '';
    const row = this.db.prepare('SELECT key_hash FROM cases_api_keys WHERE system_id = ?').get(systemId) as { key_hash: string } | undefined;
    if (!row || !verifySecret(key, row.key_hash)) return null;
    this.verified.set(digest, systemId);
    return systemId;
  }
}
