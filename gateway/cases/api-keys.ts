/**
 * One API key per business system, stored hashed (SHA-256: the secret is 256 random bits,
 * store/secrets.ts; keys issued before that are scrypt-hashed until rotated). Keys look like
 * `<systemId>.<secret>` so the lookup needs no scan; a verified key is remembered (by its sha256)
 * to keep an old key's scrypt off every call.
 */
import { createHash } from 'node:crypto';
import type { GatewayStore } from '../store/database.js';
import { hashGeneratedSecret, randomSecret, verifySecretAsync } from '../store/secrets.js';

export const SystemIdSchemaRegex = /^[a-z0-9][a-z0-9-]{1,62}$/;

export class CaseApiKeys {
  private readonly verified = new Map<string, { systemId: string; stored: string }>();

  constructor(private readonly store: GatewayStore) {}

  /** Create or rotate the key of a business system; the key is shown once. */
  async issue(systemId: string): Promise<string> {
    if (!SystemIdSchemaRegex.test(systemId)) throw new Error('business system id must be 2-63 chars of a-z, 0-9 and -');
    const key = `${systemId}.${randomSecret(32)}`;
    const hash = hashGeneratedSecret(key);
    await this.store.db
      .insertInto('case_api_keys')
      .values({ system_id: systemId, key_hash: hash, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('system_id').doUpdateSet({ key_hash: hash, created_at: new Date().toISOString() }))
      .execute();
    return key;
  }

  /** The business system a key belongs to, or null. */
  async verify(key: string): Promise<string | null> {
    const systemId = key.split('.')[0] ?? '';
    const row = await this.store.db.selectFrom('case_api_keys').select('key_hash').where('system_id', '=', systemId).executeTakeFirst();
    if (!row) return null;
    const digest = createHash('sha256').update(key).digest('hex');
    const hit = this.verified.get(digest);
    // A rotated key changes the stored hash: the remembered verdict dies with it.
    if (hit && hit.stored === row.key_hash) return hit.systemId;
    if (!(await verifySecretAsync(key, row.key_hash))) return null;
    this.verified.set(digest, { systemId, stored: row.key_hash });
    return systemId;
  }
}
