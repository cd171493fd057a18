/**
 * `gateway backup` and `gateway restore` (docs/OPERATIONS.md "Backup and restore").
 *
 * Why the backup command copies the database itself rather than asking the running gateway over
 * HTTP: SQLite's backup API works from any process that can open the file, and WAL lets it read a
 * consistent snapshot while the gateway commits; so a backup needs no console account, works the
 * same with the gateway stopped, and a timer unit can run it. The files beside the database (the
 * contact key ratchet, the follow-up vault and cases keys, the follow-up attachments) are copied as
 * they are: each is written whole and renamed into place, so a copy never sees half of one.
 *
 * A PostgreSQL store is backed up with pg_dump instead (pg-backup.ts, docs/POSTGRES.md "Backup").
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installBackup, verifyBackup, writeBackup, type BackupManifest } from '@hcp/contract/backup-folder';

export const GATEWAY_DATABASE = 'gateway.db';

/** The version in package.json (beside the source, or one level up from a build). */
export function softwareVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hcp' && pkg.version) return pkg.version;
    } catch {
      /* try the next */
    }
  }
  return 'unknown';
}

export async function backupGateway(dataDir: string, out: string): Promise<BackupManifest> {
  return writeBackup({
    kind: 'gateway',
    dataDir,
    out,
    database: GATEWAY_DATABASE,
    softwareVersion: softwareVersion(),
    skip: () => false,
    chains: (db) =>
      (
        db
          .prepare(
            'SELECT device_id AS deviceId, epoch, head_seq AS headSeq, head_hash AS headHash, key_fingerprint AS keyFingerprint FROM device_epochs ORDER BY device_id, epoch',
          )
          .all() as Array<{
          deviceId: string;
          epoch: number;
          headSeq: number;
          headHash: string | null;
          keyFingerprint: string;
        }>
      ).map((r) => ({ ...r })),
  });
}

export function restoreGateway(dataDir: string, from: string, force: boolean): { manifest: BackupManifest; movedAside: string | null } {
  const manifest = verifyBackup(resolve(from), 'gateway');
  const { movedAside } = installBackup(resolve(from), manifest, dataDir, force);
  return { manifest, movedAside };
}

/** What the commands print: one line each, for a person. */
export function describeBackup(m: BackupManifest, where: string): string[] {
  const bytes = m.files.reduce((n, f) => n + f.size, 0);
  const heads = m.chains.map((c) => `${c.deviceId}#${c.epoch}@${c.headSeq}`);
  return [
    `${m.kind} backup ${where}: ${m.files.length} files, ${(bytes / 1024).toFixed(0)} KiB, software ${m.softwareVersion}, taken ${m.createdAt}`,
    `chain heads (device#epoch@seq): ${heads.length ? heads.slice(0, 20).join(' ') : '(none)'}${heads.length > 20 ? ` … and ${heads.length - 20} more` : ''}`,
  ];
}
