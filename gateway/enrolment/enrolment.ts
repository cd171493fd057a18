/**
 * Devices: registration for a window (a one-time, expiring enrolment code), enrolment (the device
 * presents the code, its Ed25519 public key and a signature proving it holds the key; it gets MQTT
 * credentials), re-enrolment, retirement.
 *
 * Each enrolment with a new key is an epoch: its own hash chain, starting at seq 1, verified with
 * its own key (issue 10, hole 1). A device whose store was wiped comes back with a new key; its
 * new chain must not collide with the old one, and the old one stays stored and verifiable.
 * Re-enrolling with the same key (a device that crashed before saving its credentials) keeps the
 * epoch. A new epoch raises a `device-rekeyed` alert for hall IT.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { z } from 'zod';
import { DeviceIdSchema, enrolmentProofText, type EnrolmentAnswer } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import type { AlertBoard } from '../alerts/alert-board.js';
import type { Clock } from '../feature.js';
import { RegistryError } from '../registry/registry-error.js';
import type { Selectable } from 'kysely';
import type { GatewayStore, Tx } from '../store/database.js';
import { hashGeneratedSecret, randomEnrolmentCode, randomSecret } from '../store/secrets.js';
import type { GatewayTables } from '../store/tables.js';

export const RegisterDeviceBodySchema = z.object({ deviceId: DeviceIdSchema, windowId: z.string().min(1).max(64) });
export const EnrolBodySchema = z.object({
  deviceId: DeviceIdSchema,
  code: z.string().regex(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/, 'enrolment code must look like ABCD-EFGH-JKLM'),
  publicKeyPem: z.string().min(40).max(1000),
  /** Ed25519 signature of enrolmentProofText(deviceId, code): proof the caller holds the key. */
  proof: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'proof must be a base64 Ed25519 signature'),
});
export type EnrolBody = z.infer<typeof EnrolBodySchema>;

const codeHash = (code: string) => createHash('sha256').update(code).digest('hex');

export interface EnrolmentOptions {
  store: GatewayStore;
  clock: Clock;
  alerts: AlertBoard;
  keyProof: EnrolmentAnswer['keyProof'];
  /** With an external broker: the password in that broker's own hash format. */
  brokerHash?: (password: string) => string;
}

export interface EnrolResult extends EnrolmentAnswer {
  epoch: number;
  rekeyed: boolean;
}

export class Enrolment {
  constructor(private readonly o: EnrolmentOptions) {}

  private now(): string {
    return new Date(this.o.clock.now()).toISOString();
  }

  /** Register (or move) a device; returns a fresh one-time enrolment code valid for `ttlHours`. */
  async registerDevice(deviceId: string, windowId: string, ttlHours = 72): Promise<{ code: string; expiresAt: string }> {
    const code = randomEnrolmentCode();
    const expiresAt = new Date(this.o.clock.now() + ttlHours * 3600_000).toISOString();
    const hash = codeHash(code);
    // What this write decides on, the row locks hold until it commits: the device's own row (ON
    // CONFLICT locks it before its WHERE looks at `retired`) and the window (the device row's
    // foreign key locks it; the read below is there for a clear error). So READ COMMITTED keeps it
    // serializable, and on PostgreSQL it takes no SERIALIZABLE read marks: those cover a whole page
    // of the devices' index, which other devices' registrations write into, and aborted them
    // (test/pg/enrolment-burst.test.ts).
    await this.o.store.write(
      async (trx) => {
        if (!(await trx.selectFrom('windows').select('window_id').where('window_id', '=', windowId).executeTakeFirst())) {
          throw new RegistryError('not-found', `no window ${windowId}`);
        }
        // The new code is named on the device's row, which voids every older one: enrol() accepts
        // only the code the row names. A retired row is left alone by the WHERE and returns nothing.
        const written = await trx
          .insertInto('devices')
          .values({
            device_id: deviceId,
            window_id: windowId,
            created_at: this.now(),
            mqtt_password_hash: null,
            broker_password_hash: null,
            status: null,
            offline_since: null,
            last_seen_at: null,
            enrolled_at: null,
            enrolment_code_hash: hash,
          })
          .onConflict((oc) => oc.column('device_id').doUpdateSet({ window_id: windowId, enrolment_code_hash: hash }).where('devices.retired', '=', 0))
          .returning('device_id')
          .executeTakeFirst();
        if (!written) throw new RegistryError('retired', `device ${deviceId} is retired`);
        await trx.insertInto('enrolment_codes').values({ code_hash: hash, device_id: deviceId, expires_at: expiresAt, used_at: null, used_key_fingerprint: null }).execute();
      },
      { isolation: 'read committed' },
    );
    // Tidying, outside the write: the voided codes go. Relative to the row's pointer, so a second
    // registration of the same device at this moment never deletes the code it handed out.
    await this.o.store.db
      .deleteFrom('enrolment_codes')
      .where('device_id', '=', deviceId)
      .where('used_at', 'is', null)
      .where('code_hash', '<>', (eb) => eb.selectFrom('devices').select('enrolment_code_hash').where('device_id', '=', deviceId))
      .execute();
    return { code, expiresAt };
  }

  /** The device's side of enrolment: code + public key → MQTT credentials. */
  async enrol(body: EnrolBody): Promise<EnrolResult> {
    let fingerprint: string;
    try {
      const key = createPublicKey(body.publicKeyPem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
      if (!verify(null, Buffer.from(enrolmentProofText(body.deviceId, body.code)), key, Buffer.from(body.proof, 'base64'))) {
        throw new RegistryError('bad-key', 'the proof does not verify with publicKeyPem');
      }
      fingerprint = keyFingerprint(body.publicKeyPem);
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw new RegistryError('bad-key', 'publicKeyPem must be an Ed25519 public key in SPKI PEM');
    }
    // Its hashes are cheap (SHA-256 of a random secret, and the site broker's own form, 101 rounds
    // of PBKDF2): no read first to spare a wrong code their cost (store/secrets.ts).
    const password = randomSecret();
    const passwordHash = hashGeneratedSecret(password);
    const brokerPasswordHash = this.o.brokerHash?.(password) ?? null;
    const now = this.now();
    // Every row this write decides on it locks first: the device's row, then its code's (the order
    // registerDevice takes them in). The current epoch's row it reads unlocked: which epoch is
    // current, the locked device row says, and an epoch's key never changes once written; ingest
    // updates that row's chain head all the time, and enrolling need not wait for it. So READ
    // COMMITTED keeps this write serializable, as registering is, and on PostgreSQL enrolments of
    // different devices never abort each other. Under SERIALIZABLE they did, 40001 (its read marks
    // cover whole index pages): test/pg/enrolment-burst.test.ts, tried once. SQLite's writers take
    // turns already, and it has no FOR UPDATE.
    const result = await this.o.store.write(
      async (trx) => {
        const { row, device } = refuseCode(await this.readCode(trx, body, this.o.store.dialect === 'postgres'), body, fingerprint, this.o.clock.now());
        await trx.updateTable('enrolment_codes').set({ used_at: now, used_key_fingerprint: fingerprint }).where('code_hash', '=', row.code_hash).execute();
        const current =
          device.current_epoch > 0
            ? await trx
                .selectFrom('device_epochs')
                .select(['epoch', 'key_fingerprint'])
                .where('device_id', '=', body.deviceId)
                .where('epoch', '=', device.current_epoch)
                .executeTakeFirst()
            : undefined;
        let epoch = current?.epoch ?? 0;
        const rekeyed = current !== undefined && current.key_fingerprint !== fingerprint;
        if (!current || rekeyed) {
          epoch += 1;
          if (current) await trx.updateTable('device_epochs').set({ ended_at: now }).where('device_id', '=', body.deviceId).where('epoch', '=', current.epoch).execute();
          await trx
            .insertInto('device_epochs')
            .values({ device_id: body.deviceId, epoch, public_key_pem: body.publicKeyPem, key_fingerprint: fingerprint, head_hash: null, enrolled_at: now, ended_at: null })
            .execute();
        }
        await trx
          .updateTable('devices')
          .set({ current_epoch: epoch, mqtt_password_hash: passwordHash, broker_password_hash: brokerPasswordHash, enrolled_at: now })
          .where('device_id', '=', body.deviceId)
          .execute();
        return { epoch, rekeyed };
      },
      { isolation: 'read committed' },
    );
    if (result.rekeyed) {
      await this.o.alerts.raise(
        'device-rekeyed',
        body.deviceId,
        `device ${body.deviceId} was enrolled again with a new key: a new chain (epoch ${result.epoch}) starts; the old one is kept. Expected after a store was wiped or a device replaced; otherwise find out who enrolled it.`,
      );
    }
    return { username: body.deviceId, password, keyProof: this.o.keyProof, ...result };
  }

  /** The device's row and, if there is one, the code's; `lock`: FOR UPDATE (PostgreSQL), device first. */
  private async readCode(trx: Tx, body: EnrolBody, lock: boolean): Promise<CodeRows> {
    const device = await trx
      .selectFrom('devices')
      .select(['retired', 'current_epoch', 'enrolment_code_hash'])
      .where('device_id', '=', body.deviceId)
      .$if(lock, (q) => q.forUpdate())
      .executeTakeFirst();
    const row = device
      ? await trx
          .selectFrom('enrolment_codes')
          .selectAll()
          .where('code_hash', '=', codeHash(body.code))
          .$if(lock, (q) => q.forUpdate())
          .executeTakeFirst()
      : undefined;
    return { device, row };
  }

  async retire(deviceId: string): Promise<void> {
    const r = await this.o.store.db
      .updateTable('devices')
      .set({ retired: 1, mqtt_password_hash: null, broker_password_hash: null })
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new RegistryError('not-found', `no device ${deviceId}`);
  }

  /** Read in the transaction that holds the password file's turn (broker/broker-password-file.ts). */
  async brokerPasswordHashes(trx: Tx): Promise<Array<{ deviceId: string; hash: string }>> {
    const rows = await trx.selectFrom('devices').select(['device_id', 'broker_password_hash']).where('retired', '=', 0).where('broker_password_hash', 'is not', null).execute();
    return rows.map((r) => ({ deviceId: r.device_id, hash: r.broker_password_hash! }));
  }
}

interface CodeRows {
  device: Pick<Selectable<GatewayTables['devices']>, 'retired' | 'current_epoch' | 'enrolment_code_hash'> | undefined;
  row: Selectable<GatewayTables['enrolment_codes']> | undefined;
}

/** Throws unless the code is this device's current one, unexpired, and unused (or used by this same key); else the rows. */
function refuseCode(
  { device, row }: CodeRows,
  body: EnrolBody,
  fingerprint: string,
  nowMs: number,
): { device: NonNullable<CodeRows['device']>; row: NonNullable<CodeRows['row']> } {
  // A device that crashed between our commit and saving its credentials may present the same
  // code again, with the same key (its proof shows it holds it): it gets fresh credentials.
  const retryBySameDevice = !!row?.used_at && row.used_key_fingerprint === fingerprint;
  if (
    !row ||
    !device ||
    row.device_id !== body.deviceId ||
    device.enrolment_code_hash !== row.code_hash ||
    (row.used_at && !retryBySameDevice) ||
    Date.parse(row.expires_at) < nowMs
  ) {
    throw new RegistryError('bad-code', 'the enrolment code is unknown, used, expired, or for another device');
  }
  if (device.retired) throw new RegistryError('retired', `device ${body.deviceId} is retired`);
  return { device, row };
}
