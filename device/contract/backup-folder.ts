/**
 * A backup is one folder: the SQLite database copied online (SQLite's backup API, page by page,
 * while the program keeps writing: WAL lets a second connection read a consistent snapshot), every
 * other file of the data dir copied as it is, and `manifest.json` written last (a folder without
 * one is an unfinished backup). The manifest names each file with its size and sha256, the
 * software version and the chain heads, so a restore can refuse a damaged or foreign backup before
 * it touches anything.
 *
 * Shared by the gateway's and the device's backup commands through @hcp/contract (the gateway
 * imports nothing else of device/); a subpath, never the package's index: the kiosk bundles that.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';

const ChainHeadSchema = z.object({
  deviceId: z.string(),
  epoch: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string().nullable(),
  ackedThroughSeq: z.number().int().optional(),
  keyFingerprint: z.string().optional(),
});
export type ChainHead = z.infer<typeof ChainHeadSchema>;

export const BackupManifestSchema = z
  .object({
    format: z.literal('hcp-backup/1'),
    kind: z.enum(['gateway', 'device']),
    softwareVersion: z.string(),
    createdAt: z.string(),
    sourceDataDir: z.string(),
    database: z.string(),
    files: z.array(z.object({ path: z.string().min(1), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()),
    chains: z.array(ChainHeadSchema),
  })
  .strict();
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

/** What hall IT must fix; printed as one line, never a stack trace. */
export class BackupError extends Error {}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every file under `dir`, relative, sorted; `skip` leaves some out. */
export function listFiles(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

export interface WriteBackupOptions {
  kind: BackupManifest['kind'];
  dataDir: string;
  out: string;
  /** The database's file name in the data dir (its -wal and -shm are never copied). */
  database: string;
  softwareVersion: string;
  /** Files of the data dir that are not worth keeping (a per-boot token, temp files). */
  skip: (rel: string) => boolean;
  /** The chain heads, read from the copy (so they describe what the backup holds). */
  chains: (copiedDb: Database.Database) => ChainHead[];
}

/** Copy the data dir into a new folder `out`, the database online; answers the manifest written. */
export async function writeBackup(o: WriteBackupOptions): Promise<BackupManifest> {
  const dbFile = join(o.dataDir, o.database);
  if (!existsSync(dbFile)) throw new BackupError(`no database at ${dbFile}: is dataDir right in the config?`);
  if (existsSync(o.out) && readdirSync(o.out).length > 0) throw new BackupError(`${o.out} exists and is not empty: give a new folder for the backup`);
  mkdirSync(o.out, { recursive: true, mode: 0o700 });
  // A second connection in this process: the running program keeps writing meanwhile.
  const source = new Database(dbFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(join(o.out, o.database));
  } finally {
    source.close();
  }
  const skipAll = (rel: string) => rel === o.database || rel === `${o.database}-wal` || rel === `${o.database}-shm` || rel.endsWith('.tmp') || o.skip(rel);
  for (const rel of listFiles(o.dataDir, skipAll)) {
    const to = join(o.out, rel);
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    copyFileSync(join(o.dataDir, rel), to);
    chmodSync(to, 0o600);
  }
  const copied = new Database(join(o.out, o.database), { readonly: true, fileMustExist: true });
  let chains: ChainHead[];
  try {
    chains = o.chains(copied);
  } finally {
    copied.close();
  }
  const files = listFiles(o.out, (rel) => rel === MANIFEST_FILE).map((rel) => ({ path: rel, size: statSync(join(o.out, rel)).size, sha256: sha256File(join(o.out, rel)) }));
  const manifest: BackupManifest = {
    format: 'hcp-backup/1',
    kind: o.kind,
    softwareVersion: o.softwareVersion,
    createdAt: new Date().toISOString(),
    sourceDataDir: resolve(o.dataDir),
    database: o.database,
    files,
    chains,
  };
  writeFileSync(join(o.out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

/** Check a backup folder file by file and the database's integrity; answers its manifest or throws saying what is wrong. */
export function verifyBackup(dir: string, kind: BackupManifest['kind']): BackupManifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new BackupError(`${dir} is not a backup: it has no ${MANIFEST_FILE} (an unfinished or foreign folder)`);
  let parsed: ReturnType<typeof BackupManifestSchema.safeParse>;
  try {
    parsed = BackupManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new BackupError(`${file} is not JSON: the backup is damaged`);
  }
  if (!parsed.success) throw new BackupError(`${file} is not an hcp backup manifest: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  const m = parsed.data;
  if (m.kind !== kind) throw new BackupError(`${dir} is a ${m.kind} backup, not a ${kind} one`);
  const named = new Set(m.files.map((f) => f.path));
  for (const f of m.files) {
    const path = join(dir, f.path);
    if (relative(dir, path).startsWith('..')) throw new BackupError(`the manifest names a file outside the backup (${f.path}): refused`);
    if (!existsSync(path)) throw new BackupError(`the backup is incomplete: ${f.path} is missing`);
    if (statSync(path).size !== f.size || sha256File(path) !== f.sha256) throw new BackupError(`the backup is corrupt: ${f.path} does not match its sha256 in the manifest`);
  }
  const extra = listFiles(dir, (rel) => rel === MANIFEST_FILE).filter((rel) => !named.has(rel));
  if (extra.length) throw new BackupError(`the backup holds files its manifest does not name (${extra.slice(0, 3).join(', ')}): refused`);
  if (!named.has(m.database)) throw new BackupError(`the manifest does not name its database ${m.database}`);
  const db = new Database(join(dir, m.database), { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the backup's database fails SQLite's integrity check: ${String(check)}`);
  } finally {
    db.close();
  }
  return m;
}

/** Processes of this machine holding a file under `dir` open (Linux /proc; another user's are not visible). */
export function processesUsing(dir: string): number[] {
  const root = `${resolve(dir)}/`;
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid);
  } catch {
    return pids;
  }
  for (const pid of entries) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(root)) {
          pids.push(Number(pid));
          break;
        }
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return pids;
}

export interface InstallResult {
  /** Where the data dir that was there went (nothing is deleted), or null if there was none. */
  movedAside: string | null;
}

/**
 * Put a verified backup in place of `dataDir`: refused while a process holds the data dir open
 * (unless `force`); the files are copied beside it first and swapped in by a rename, and a data dir
 * that was there is moved aside, never deleted.
 */
export function installBackup(from: string, m: BackupManifest, dataDir: string, force: boolean): InstallResult {
  const users = existsSync(dataDir) ? processesUsing(dataDir) : [];
  if (users.length && !force) throw new BackupError(`${dataDir} is in use by process ${users.join(', ')}: stop the program first (or --force)`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const staging = `${resolve(dataDir)}.restoring-${process.pid}`;
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  for (const f of m.files) {
    const to = join(staging, f.path);
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    copyFileSync(join(from, f.path), to);
    chmodSync(to, 0o600);
  }
  let movedAside: string | null = null;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    movedAside = `${resolve(dataDir)}.before-restore-${stamp}`;
    renameSync(dataDir, movedAside);
  } else if (existsSync(dataDir)) {
    // An empty folder (a new disk): the rename below takes its place.
    rmdirSync(dataDir);
  }
  mkdirSync(dirname(resolve(dataDir)), { recursive: true });
  renameSync(staging, dataDir);
  return { movedAside };
}
