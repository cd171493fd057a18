/**
 * Checks a device's MQTT login: its enrolment password and — unless the site's broker cannot
 * (an external broker checks the password alone) — a signature with its enrolled key over a
 * one-time nonce from this gateway (@hcp/contract key-proof.ts; issue 10, hole 14). A copied
 * password is then not enough to take a device's session, and it is recorded when someone tries.
 */
import { createHash, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { mqttProofText, parseProofPassword } from '@hcp/contract';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { hashGeneratedSecret, isSlowHash, verifySecretAsync } from '../store/secrets.js';

export type LoginVerdict = { ok: true } | { ok: false; why: 'unknown-device' | 'wrong-password' | 'no-key-proof' | 'bad-key-proof' | 'stale-nonce' };

const NONCE_TTL_MS = 120_000;
/** Outstanding nonces per device: enough for reconnect storms, too few to fill the table. */
const NONCES_PER_DEVICE = 8;

export class DeviceLogin {
  /** A verified password remembered as its sha256 per stored hash: one check of the stored hash per device, not per reconnect. */
  private readonly verified = new Map<string, { stored: string; digest: string }>();
  private readonly keys = new Map<string, { pem: string; key: KeyObject }>();

  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly requireKeyProof: boolean,
  ) {}

  /** A one-time nonce for an enrolled, active device; null for any other id (said the same way, to not reveal which exist). */
  async issueNonce(deviceId: string): Promise<{ nonce: string; expiresAt: string } | null> {
    const now = this.clock.now();
    const nonce = randomBytes(18).toString('base64url');
    const expiresAt = new Date(now + NONCE_TTL_MS).toISOString();
    // The write reads only this device's row: on PostgreSQL, SERIALIZABLE writes of nonces for
    // different devices then never conflict (test/pg/nonce-burst.test.ts). The tidying below reads
    // whole ranges of the table, so it runs after, each statement on its own.
    const issued = await this.store.write(async (trx) => {
      const d = await trx.selectFrom('devices').select('device_id').where('device_id', '=', deviceId).where('retired', '=', 0).where('current_epoch', '>', 0).executeTakeFirst();
      if (!d) return null;
      await trx.insertInto('device_nonces').values({ nonce, device_id: deviceId, expires_at: expiresAt, used_at: null }).execute();
      return { nonce, expiresAt };
    });
    if (issued) await this.prune(deviceId, now);
    return issued;
  }

  /** Drops expired nonces, and this device's open ones beyond the newest NONCES_PER_DEVICE. */
  private async prune(deviceId: string, now: number): Promise<void> {
    await this.store.db.deleteFrom('device_nonces').where('expires_at', '<', new Date(now).toISOString()).execute();
    const open = await this.store.db
      .selectFrom('device_nonces')
      .select('nonce')
      .where('device_id', '=', deviceId)
      .where('used_at', 'is', null)
      .orderBy('expires_at', 'desc')
      .execute();
    const surplus = open.slice(NONCES_PER_DEVICE).map((r) => r.nonce);
    if (surplus.length) await this.store.db.deleteFrom('device_nonces').where('nonce', 'in', surplus).execute();
  }

  async check(deviceId: string, presented: string): Promise<LoginVerdict> {
    const row = await this.store.db
      .selectFrom('devices as d')
      .leftJoin('device_epochs as e', (j) => j.onRef('e.device_id', '=', 'd.device_id').onRef('e.epoch', '=', 'd.current_epoch'))
      .select(['d.mqtt_password_hash as hash', 'd.retired', 'e.public_key_pem as pem'])
      .where('d.device_id', '=', deviceId)
      .executeTakeFirst();
    if (!row || row.retired || !row.hash || !row.pem) return { ok: false, why: 'unknown-device' };
    const proof = parseProofPassword(presented);
    const password = proof?.password ?? presented;
    if (!(await this.passwordMatches(deviceId, password, row.hash))) return { ok: false, why: 'wrong-password' };
    if (!this.requireKeyProof) return { ok: true };
    if (!proof) return { ok: false, why: 'no-key-proof' };
    if (!verifySig(mqttProofText(deviceId, proof.nonce), proof.signature, this.keyOf(deviceId, row.pem))) return { ok: false, why: 'bad-key-proof' };
    const now = new Date(this.clock.now()).toISOString();
    const used = await this.store.db
      .updateTable('device_nonces')
      .set({ used_at: now })
      .where('nonce', '=', proof.nonce)
      .where('device_id', '=', deviceId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(used.numUpdatedRows) === 1 ? { ok: true } : { ok: false, why: 'stale-nonce' };
  }

  private async passwordMatches(deviceId: string, password: string, stored: string): Promise<boolean> {
    const digest = createHash('sha256').update(password).digest('hex');
    const cached = this.verified.get(deviceId);
    if (cached && cached.stored === stored) return cached.digest === digest;
    const ok = await verifySecretAsync(password, stored);
    if (!ok) return false;
    this.verified.set(deviceId, { stored, digest });
    // Enrolled before its password was stored as SHA-256 (store/secrets.ts): store it so now, and
    // its logins after the next restart make no scrypt. Unless it was enrolled again meanwhile.
    // A failed write costs only that: the login stands, and the next one after a restart tries again.
    if (isSlowHash(stored)) {
      await this.store.db
        .updateTable('devices')
        .set({ mqtt_password_hash: hashGeneratedSecret(password) })
        .where('device_id', '=', deviceId)
        .where('mqtt_password_hash', '=', stored)
        .execute()
        .catch(() => undefined);
    }
    return true;
  }

  private keyOf(deviceId: string, pem: string): KeyObject {
    const cached = this.keys.get(deviceId);
    if (cached?.pem === pem) return cached.key;
    const key = createPublicKey(pem);
    this.keys.set(deviceId, { pem, key });
    return key;
  }
}

function verifySig(text: string, signatureBase64: string, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(text), key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
