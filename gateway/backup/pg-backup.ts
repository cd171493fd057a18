/**
 * `gateway backup` and `restore` when the store is PostgreSQL (docs/POSTGRES.md "Backup").
 *
 * The database is dumped with pg_dump (custom format: one file, compressed, restorable table by
 * table), online: pg_dump reads one consistent snapshot while the workers keep committing. Beside
 * it go the same key files of the data dir the SQLite backup copies (the contact key ratchet, the
 * follow-up vault and cases keys, attachments): they are not in the database, and sealed contacts
 * cannot be opened without them. The folder is the SQLite backup's (backup-folder.ts): every file
 * with its sha256, manifest.json written last, plus `store: "postgres"` so that neither kind of
 * backup is ever restored into the other kind of store.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { BackupError, BackupManifestSchema, type ChainHead, installBackup, listFiles, MANIFEST_FILE, sha256File } from '@hcp/contract/backup-folder';
import { GATEWAY_DATABASE, softwareVersion } from './gateway-backup.js';
import { pgTarget, runPgProgram, userTables, withPgClient } from './pg-tools.js';

export const PG_DUMP_FILE = 'gateway.pgdump';

export const PgBackupManifestSchema = BackupManifestSchema.extend({ store: z.literal('postgres') });
export type PgBackupManifest = z.infer<typeof PgBackupManifestSchema>;

/** The files of the data dir the SQLite backup copies beside its database (writeBackup's list). */
export function dataDirKeyFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  const notKey = (rel: string) => rel === GATEWAY_DATABASE || rel === `${GATEWAY_DATABASE}-wal` || rel === `${GATEWAY_DATABASE}-shm` || rel.endsWith('.tmp');
  return listFiles(dataDir, notKey);
}

/** What `store` a backup folder's manifest names ('sqlite' when it names none), or null without a readable manifest. */
export function backupStoreKind(dir: string): 'sqlite' | 'postgres' | null {
  try {
    const raw = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as { store?: unknown };
    return raw.store === 'postgres' ? 'postgres' : 'sqlite';
  } catch {
    return null;
  }
}

export async function backupPostgresGateway(dataDir: string, url: string, out: string): Promise<PgBackupManifest> {
  if (existsSync(out) && readdirSync(out).length > 0) throw new BackupError(`${out} exists and is not empty: give a new folder for the backup`);
  const target = pgTarget(url);
  // Read before the dump: the dump holds at least these heads (the workers may add more meanwhile).
  const chains = await withPgClient(url, async (c) => {
    const r = await c.query<ChainHead>(
      'SELECT device_id AS "deviceId", epoch::int AS epoch, head_seq::int AS "headSeq", head_hash AS "headHash", key_fingerprint AS "keyFingerprint" FROM device_epochs ORDER BY device_id, epoch',
    );
    return r.rows.map((row) => ({ ...row }));
  });
  mkdirSync(out, { recursive: true, mode: 0o700 });
  runPgProgram('pg_dump', ['--format=custom', '--no-owner', `--file=${join(out, PG_DUMP_FILE)}`], target);
  chmodSync(join(out, PG_DUMP_FILE), 0o600);
  for (const rel of dataDirKeyFiles(dataDir)) {
    const to = join(out, rel);
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    copyFileSync(join(dataDir, rel), to);
    chmodSync(to, 0o600);
  }
  const files = listFiles(out, (rel) => rel === MANIFEST_FILE).map((rel) => ({ path: rel, size: statSync(join(out, rel)).size, sha256: sha256File(join(out, rel)) }));
  const manifest: PgBackupManifest = {
    format: 'hcp-backup/1',
    kind: 'gateway',
    store: 'postgres',
    softwareVersion: softwareVersion(),
    createdAt: new Date().toISOString(),
    sourceDataDir: resolve(dataDir),
    database: PG_DUMP_FILE,
    files,
    chains,
  };
  writeFileSync(join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

/** Check a PostgreSQL backup file by file, and that pg_restore can read its dump. */
export function verifyPostgresBackup(dir: string, url: string): PgBackupManifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new BackupError(`${dir} is not a backup: it has no ${MANIFEST_FILE} (an unfinished or foreign folder)`);
  if (backupStoreKind(dir) === 'sqlite') {
    throw new BackupError(`${dir} is a backup of a SQLite store: this config keeps its store in PostgreSQL; restore it with a config whose store is sqlite`);
  }
  const parsed = PgBackupManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new BackupError(`${file} is not an hcp backup manifest: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  const m = parsed.data;
  if (m.kind !== 'gateway') throw new BackupError(`${dir} is a ${m.kind} backup, not a gateway one`);
  const named = new Set(m.files.map((f) => f.path));
  for (const f of m.files) {
    const path = resolve(dir, f.path);
    if (!path.startsWith(`${resolve(dir)}/`)) throw new BackupError(`the manifest names a file outside the backup (${f.path}): refused`);
    if (!existsSync(path)) throw new BackupError(`the backup is incomplete: ${f.path} is missing`);
    if (statSync(path).size !== f.size || sha256File(path) !== f.sha256) throw new BackupError(`the backup is corrupt: ${f.path} does not match its sha256 in the manifest`);
  }
  const extra = listFiles(dir, (rel) => rel === MANIFEST_FILE).filter((rel) => !named.has(rel));
  if (extra.length) throw new BackupError(`the backup holds files its manifest does not name (${extra.slice(0, 3).join(', ')}): refused`);
  if (!named.has(m.database)) throw new BackupError(`the manifest does not name its database ${m.database}`);
  runPgProgram('pg_restore', ['--list', join(dir, m.database)], pgTarget(url));
  return m;
}

/**
 * Restore into the configured database and data dir. A database holding any table is refused
 * unless `force` (then pg_restore --clean drops what the dump holds and recreates it).
 */
export async function restorePostgresGateway(
  dataDir: string,
  url: string,
  from: string,
  force: boolean,
): Promise<{ manifest: PgBackupManifest; movedAside: string | null; replacedTables: number }> {
  const dir = resolve(from);
  const manifest = verifyPostgresBackup(dir, url);
  const target = pgTarget(url);
  const tables = await withPgClient(url, userTables);
  if (tables.length && !force) {
    throw new BackupError(
      `the database ${target.label} already holds ${tables.length} tables (${tables.slice(0, 3).join(', ')}…): restore into an empty database, or --force to replace them (stop every gateway worker first)`,
    );
  }
  runPgProgram('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error', join(dir, manifest.database)], target);
  const keyFiles = { ...manifest, files: manifest.files.filter((f) => f.path !== manifest.database) };
  const { movedAside } = installBackup(dir, keyFiles, dataDir, force);
  return { manifest, movedAside, replacedTables: tables.length };
}
