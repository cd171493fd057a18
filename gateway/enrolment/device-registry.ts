/**
 * Hall IT's registry of windows, staff and devices, and device enrolment: a device registered for
 * a window gets a one-time, expiring enrolment code; the device presents it with its Ed25519
 * public key and receives its MQTT credentials (password stored scrypt-hashed). Re-enrolment
 * replaces the key and credentials; a retired device is refused everywhere.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { z } from 'zod';
import { DeviceIdSchema, StaffEntrySchema, enrolmentProofText, type DeviceConfig, type StaffEntry } from '../../device/contract/index.js';
import type { GatewayDb } from '../store/gateway-store.js';
import { hashSecret, randomEnrolmentCode, randomSecret, verifySecret, verifySecretAsync } from '../store/secrets.js';

export class RegistryError extends Error {
  constructor(readonly code: 'not-found' | 'conflict' | 'bad-code' | 'retired' | 'bad-key', message: string) {
    super(message);
  }
}

export const WindowBodySchema = z.object({
  windowId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'window id must be lower-case letters, digits and -'),
  number: z.string().min(1).max(16),
  department: z.string().min(1).max(100),
});
export const StaffBodySchema = StaffEntrySchema.extend({ windowId: z.string().min(1).max(64).nullable() });
export const RegisterDeviceBodySchema = z.object({ deviceId: DeviceIdSchema, windowId: z.string().min(1).max(64) });
export const EnrolBodySchema = z.object({
  deviceId: DeviceIdSchema,
  code: z.string().regex(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/, 'enrolment code must look like ABCD-EFGH-JKLM'),
  publicKeyPem: z.string().min(40).max(1000),
  /** Ed25519 signature of enrolmentProofText(deviceId, code): proof the caller holds the key. */
  proof: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'proof must be a base64 Ed25519 signature'),
});


const codeHash = (code: string) => createHash('sha256').update(code).digest('hex');

export interface HallSettings {
  hallName: string;
  catalogueVersion: string;
  invitationTimeoutSec: number;
  contactKey?: { keyId: string; publicKeyPem: string };
  qrBaseUrl?: string;
}

export class DeviceRegistry {
  constructor(
    private readonly db: GatewayDb,
    private readonly hall: HallSettings,
    private readonly now: () => Date = () => new Date(),
    /** With an external broker: the password in that broker's own hash format. */
    private readonly brokerHash?: (password: string) => string,
  ) {}

  brokerPasswordHashes(): Array<{ deviceId: string; hash: string }> {
    return this.db.prepare('SELECT device_id AS deviceId, broker_password_hash AS hash FROM devices WHERE retired = 0 AND broker_password_hash IS NOT NULL').all() as Array<{ deviceId: string; hash: string }>;
  }

  upsertWindow(w: z.infer<typeof WindowBodySchema>): void {
    this.db
      .prepare('INSERT INTO windows (window_id, number, department, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(window_id) DO UPDATE SET number = excluded.number, department = excluded.department')
      .run(w.windowId, w.number, w.department, this.now().toISOString());
  }

  listWindows() {
    return this.db.prepare('SELECT window_id AS windowId, number, department FROM windows ORDER BY number').all();
  }

  upsertStaff(s: z.infer<typeof StaffBodySchema>): void {
    if (s.windowId && !this.db.prepare('SELECT 1 FROM windows WHERE window_id = ?').get(s.windowId)) throw new RegistryError('not-found', `no window ${s.windowId}`);
    this.db
      .prepare(`INSERT INTO staff (staff_id, staff_no, name, post, title, window_id, badge_uids, photo) VALUES (@staffId, @staffNo, @name, @post, @title, @windowId, @badges, @photo)
        ON CONFLICT(staff_id) DO UPDATE SET staff_no = excluded.staff_no, name = excluded.name, post = excluded.post, title = excluded.title, window_id = excluded.window_id, badge_uids = excluded.badge_uids, photo = excluded.photo`)
      .run({ ...s, badges: JSON.stringify(s.badgeUids), photo: s.photo ?? null });
  }

  listStaff(windowId?: string): Array<StaffEntry & { windowId: string | null }> {
    const rows = (windowId
      ? this.db.prepare('SELECT * FROM staff WHERE window_id = ? ORDER BY staff_no').all(windowId)
      : this.db.prepare('SELECT * FROM staff ORDER BY staff_no').all()) as Array<Record<string, string | null>>;
    return rows.map((r) => ({
      staffId: r.staff_id!, staffNo: r.staff_no!, name: r.name!, post: r.post!, title: r.title!, windowId: r.window_id ?? null,
      badgeUids: JSON.parse(r.badge_uids!) as string[], ...(r.photo ? { photo: r.photo } : {}),
    }));
  }

  /** Register (or move) a device; returns a fresh one-time enrolment code valid for `ttlHours`. */
  registerDevice(deviceId: string, windowId: string, ttlHours = 72): { code: string; expiresAt: string } {
    if (!this.db.prepare('SELECT 1 FROM windows WHERE window_id = ?').get(windowId)) throw new RegistryError('not-found', `no window ${windowId}`);
    const existing = this.db.prepare('SELECT retired FROM devices WHERE device_id = ?').get(deviceId) as { retired: number } | undefined;
    if (existing?.retired) throw new RegistryError('retired', `device ${deviceId} is retired`);
    const code = randomEnrolmentCode();
    const expiresAt = new Date(this.now().getTime() + ttlHours * 3600_000).toISOString();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO devices (device_id, window_id, created_at) VALUES (?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET window_id = excluded.window_id')
        .run(deviceId, windowId, this.now().toISOString());
      // A new code voids the older unused ones.
      this.db.prepare('DELETE FROM enrolment_codes WHERE device_id = ? AND used_at IS NULL').run(deviceId);
      this.db.prepare('INSERT INTO enrolment_codes (code_hash, device_id, expires_at) VALUES (?, ?, ?)').run(codeHash(code), deviceId, expiresAt);
    })();
    return { code, expiresAt };
  }

  /** The device's side of enrolment: code + public key → MQTT credentials. */
  enrol(body: z.infer<typeof EnrolBodySchema>): { username: string; password: string } {
    let key;
    try {
      key = createPublicKey(body.publicKeyPem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    } catch {
      throw new RegistryError('bad-key', 'publicKeyPem must be an Ed25519 public key in SPKI PEM');
    }
    if (!verify(null, Buffer.from(enrolmentProofText(body.deviceId, body.code)), key, Buffer.from(body.proof, 'base64'))) {
      throw new RegistryError('bad-key', 'the proof does not verify with publicKeyPem');
    }
    const password = randomSecret();
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT device_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = ?').get(codeHash(body.code)) as
        | { device_id: string; expires_at: string; used_at: string | null }
        | undefined;
      const device = row ? (this.db.prepare('SELECT retired, public_key_pem FROM devices WHERE device_id = ?').get(body.deviceId) as { retired: number; public_key_pem: string | null } | undefined) : undefined;
      // A device that crashed between our commit and saving its credentials may present the same
      // code again, with the same key (its proof shows it holds it): it gets fresh credentials.
      const retryBySameDevice = !!row?.used_at && device?.public_key_pem === body.publicKeyPem;
      if (!row || !device || row.device_id !== body.deviceId || (row.used_at && !retryBySameDevice) || Date.parse(row.expires_at) < this.now().getTime()) {
        throw new RegistryError('bad-code', 'the enrolment code is unknown, used, expired, or for another device');
      }
      if (device.retired) throw new RegistryError('retired', `device ${body.deviceId} is retired`);
      this.db.prepare('UPDATE enrolment_codes SET used_at = ? WHERE code_hash = ?').run(this.now().toISOString(), codeHash(body.code));
      // Re-enrolment with a new key starts a new chain: the old head no longer applies.
      const keyChanged = device.public_key_pem !== null && device.public_key_pem !== body.publicKeyPem;
      this.db
        .prepare(`UPDATE devices SET public_key_pem = ?, mqtt_password_hash = ?, broker_password_hash = ?, enrolled_at = ?${keyChanged ? ', head_seq = 0, head_hash = NULL' : ''} WHERE device_id = ?`)
        .run(body.publicKeyPem, hashSecret(password), this.brokerHash?.(password) ?? null, this.now().toISOString(), body.deviceId);
    })();
    return { username: body.deviceId, password };
  }

  retire(deviceId: string): void {
    const r = this.db.prepare('UPDATE devices SET retired = 1, mqtt_password_hash = NULL, broker_password_hash = NULL WHERE device_id = ?').run(deviceId);
    if (r.changes === 0) throw new RegistryError('not-found', `no device ${deviceId}`);
  }

  /** MQTT credentials check; false for unknown, retired or unenrolled devices. */
  checkCredentials(deviceId: string, password: string): boolean {
    const row = this.db.prepare('SELECT mqtt_password_hash AS h, retired FROM devices WHERE device_id = ?').get(deviceId) as { h: string | null; retired: number } | undefined;
    return !!row && !row.retired && !!row.h && verifySecret(password, row.h);
  }

  /**
   * MQTT login check, off the event loop. A verified password is remembered as its SHA-256 (per
   * stored hash), so a hall's devices reconnecting after an outage cost one scrypt each, once.
   */
  async checkCredentialsAsync(deviceId: string, password: string): Promise<boolean> {
    const row = this.db.prepare('SELECT mqtt_password_hash AS h, retired FROM devices WHERE device_id = ?').get(deviceId) as { h: string | null; retired: number } | undefined;
    if (!row || row.retired || !row.h) return false;
    const digest = createHash('sha256').update(password).digest('hex');
    const cached = this.verified.get(deviceId);
    if (cached && cached.stored === row.h) return cached.digest === digest;
    const ok = await verifySecretAsync(password, row.h);
    if (ok) this.verified.set(deviceId, { stored: row.h, digest });
    return ok;
  }

  private readonly verified = new Map<string, { stored: string; digest: string }>();

  listDevices() {
    return (this.db.prepare('SELECT device_id, window_id, retired, head_seq, status, enrolled_at FROM devices ORDER BY device_id').all() as Array<Record<string, unknown>>).map((r) => ({
      deviceId: r.device_id, windowId: r.window_id, retired: r.retired === 1, enrolled: r.enrolled_at !== null, headSeq: r.head_seq,
      status: r.status ? JSON.parse(String(r.status)) : null,
    }));
  }

  deviceIdsForWindow(windowId: string): string[] {
    return (this.db.prepare('SELECT device_id FROM devices WHERE window_id = ? AND retired = 0').all(windowId) as Array<{ device_id: string }>).map((r) => r.device_id);
  }

  allActiveDeviceIds(): string[] {
    return (this.db.prepare('SELECT device_id FROM devices WHERE retired = 0 AND enrolled_at IS NOT NULL').all() as Array<{ device_id: string }>).map((r) => r.device_id);
  }

  /** The retained config a device works from (window, roster with photos, catalogue, timeouts). */
  configFor(deviceId: string): DeviceConfig | null {
    const d = this.db.prepare('SELECT d.window_id, d.config_version, w.number, w.department FROM devices d JOIN windows w ON w.window_id = d.window_id WHERE d.device_id = ? AND d.retired = 0').get(deviceId) as
      | { window_id: string; config_version: number; number: string; department: string }
      | undefined;
    if (!d) return null;
    const version = d.config_version + 1;
    this.db.prepare('UPDATE devices SET config_version = ? WHERE device_id = ?').run(version, deviceId);
    return {
      configVersion: version, deviceId, hallName: this.hall.hallName,
      window: { id: d.window_id, number: d.number, department: d.department },
      roster: this.listStaff(d.window_id).map(({ windowId: _w, ...s }) => s),
      catalogueVersion: this.hall.catalogueVersion, invitationTimeoutSec: this.hall.invitationTimeoutSec,
      ...(this.hall.contactKey ? { contactKey: this.hall.contactKey } : {}),
      ...(this.hall.qrBaseUrl ? { qrBaseUrl: this.hall.qrBaseUrl } : {}),
    };
  }

  publicKeyOf(deviceId: string): { pem: string; retired: boolean } | null {
    const r = this.db.prepare('SELECT public_key_pem AS pem, retired FROM devices WHERE device_id = ?').get(deviceId) as { pem: string | null; retired: number } | undefined;
    return r?.pem ? { pem: r.pem, retired: r.retired === 1 } : null;
  }

  setStatus(deviceId: string, status: unknown): void {
    this.db.prepare('UPDATE devices SET status = ? WHERE device_id = ?').run(JSON.stringify(status), deviceId);
  }
}

export { DeviceIdSchema };
