/**
 * A device's backup and restore (docs/OPERATIONS.md "Backup and restore").
 *
 * The backup copies `device.db` online (SQLite's backup API from this process while the device
 * program keeps appending) and the files beside it: the identity key, the gateway credentials.
 *
 * A restored device must not fork its chain. A backup is older than the device's last record: the
 * records appended after it may already be at the gateway, and a device going on from the backup's
 * head would sign different records at the same (epoch, seq). So a restore never continues the
 * backed-up chain: it keeps it, whole and verifiable, under `restored-epochs/<when>/` (database and
 * key: `device:verify --data-dir` reads it there), drops the identity key and the gateway
 * credentials, and the device starts a new epoch on its next start — a new key, a chain from seq 1,
 * enrolled with a new code from hall IT, exactly as a wiped store does (docs/DESIGN.md "Devices and
 * their enrolments"). The gateway numbers the epoch and refuses the old key's batches (`stale-key`),
 * so no record of the new chain can meet one of the old at any seq. What is lost is only what was
 * never confirmed: records of the old chain the gateway had not stored when the disk died.
 */
import { createPublicKey, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { keyFingerprint } from '../contract/chain.js';
import { SOFTWARE_VERSION } from '../device-program.js';
import { BackupError, installBackup, verifyBackup, writeBackup, type BackupManifest } from '@hcp/contract/backup-folder';

export const DEVICE_DATABASE = 'device.db';
const KEY_FILE = 'device-key.pem';
const CREDENTIALS_FILE = 'gateway-credentials.json';
export const RESTORED_EPOCHS_DIR = 'restored-epochs';

export async function backupDevice(dataDir: string, deviceId: string, out: string): Promise<BackupManifest> {
  const keyFile = join(dataDir, KEY_FILE);
  const fingerprint = existsSync(keyFile)
    ? keyFingerprint(
        createPublicKey(createPrivateKey(readFileSync(keyFile)))
          .export({ type: 'spki', format: 'pem' })
          .toString(),
      )
    : undefined;
  return writeBackup({
    kind: 'device',
    dataDir,
    out,
    database: DEVICE_DATABASE,
    softwareVersion: SOFTWARE_VERSION,
    // A fresh token every boot: a restored one would be stale.
    skip: (rel) => rel === 'local-api.token',
    chains: (db) => {
      const head = db.prepare('SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      const ack = db.prepare('SELECT acked_through_seq AS through FROM outbox_ack WHERE id = 1').get() as { through: number } | undefined;
      // The device does not know its epoch's number (the gateway gives it): 0 here, the key fingerprint names it.
      return [
        {
          deviceId,
          epoch: 0,
          headSeq: head?.seq ?? 0,
          headHash: head?.hash ?? null,
          ackedThroughSeq: ack?.through ?? 0,
          ...(fingerprint ? { keyFingerprint: fingerprint } : {}),
        },
      ];
    },
  });
}

export interface DeviceRestoreResult {
  manifest: BackupManifest;
  movedAside: string | null;
  /** Where the backed-up chain is kept, read-only. */
  archivedChain: string;
}

export function restoreDevice(dataDir: string, deviceId: string, from: string, force: boolean): DeviceRestoreResult {
  const manifest = verifyBackup(resolve(from), 'device');
  const backedUp = manifest.chains[0]?.deviceId;
  if (backedUp && backedUp !== deviceId) throw new BackupError(`this backup is of device ${backedUp}, not ${deviceId}: refused`);
  const { movedAside } = installBackup(resolve(from), manifest, dataDir, force);
  // The new epoch: the backed-up chain and its key go aside; the device makes a new key at start.
  const archivedChain = join(dataDir, RESTORED_EPOCHS_DIR, manifest.createdAt.replace(/[:.]/g, '-'));
  mkdirSync(archivedChain, { recursive: true, mode: 0o700 });
  renameSync(join(dataDir, DEVICE_DATABASE), join(archivedChain, DEVICE_DATABASE));
  if (existsSync(join(dataDir, KEY_FILE))) renameSync(join(dataDir, KEY_FILE), join(archivedChain, KEY_FILE));
  // The credentials belong to the old key's enrolment: the device enrols again with a new code.
  rmSync(join(dataDir, CREDENTIALS_FILE), { force: true });
  return { manifest, movedAside, archivedChain };
}

export function describeDeviceBackup(m: BackupManifest, where: string): string[] {
  const c = m.chains[0];
  const bytes = m.files.reduce((n, f) => n + f.size, 0);
  return [
    `device backup ${where}: ${m.files.length} files, ${(bytes / 1024).toFixed(0)} KiB, software ${m.softwareVersion}, taken ${m.createdAt}`,
    c
      ? `chain of ${c.deviceId}: head seq ${c.headSeq}, acknowledged by the gateway through ${c.ackedThroughSeq ?? 0}${c.keyFingerprint ? `, key ${c.keyFingerprint.slice(0, 12)}…` : ''}`
      : 'no chain',
  ];
}
