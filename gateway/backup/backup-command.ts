/**
 * The `backup` and `restore` subcommands of gateway/main.ts:
 *   gateway backup --config gateway.json --out <new folder>      (online: the gateway may be running)
 *   gateway restore --config gateway.json --from <backup folder> [--force]
 * The config's store chooses the way: SQLite's backup API (gateway-backup.ts) or pg_dump and
 * pg_restore (pg-backup.ts). Answers the exit code; what went wrong is one line for hall IT (exit 2).
 */
import { ConfigError, loadGatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_FEATURES } from '../features.js';
import { BackupError } from '@hcp/contract/backup-folder';
import { backupGateway, describeBackup, restoreGateway } from './gateway-backup.js';
import { backupPostgresGateway, backupStoreKind, restorePostgresGateway } from './pg-backup.js';
import { pgTarget } from './pg-tools.js';

export interface BackupCommandArgs {
  command: 'backup' | 'restore';
  configFile: string;
  out?: string | undefined;
  from?: string | undefined;
  force?: boolean | undefined;
}

const RESENT = 'records the gateway stored after this backup are not in it: devices still holding them send them again when they connect (docs/OPERATIONS.md "Backup and restore")';

export async function runBackupCommand(a: BackupCommandArgs, print: (line: string) => void): Promise<{ code: number; error?: string }> {
  try {
    const { dataDir, store } = loadGatewayConfig(a.configFile, GATEWAY_FEATURES);
    if (a.command === 'backup') {
      if (!a.out) return { code: 2, error: 'backup needs --out <new folder>' };
      const m = store.kind === 'postgres' ? await backupPostgresGateway(dataDir, store.url, a.out) : await backupGateway(dataDir, a.out);
      for (const line of describeBackup(m, `written to ${a.out}`)) print(line);
      if (store.kind === 'postgres') print(`the database ${pgTarget(store.url).label} dumped with pg_dump; the data dir's key files beside it`);
      return { code: 0 };
    }
    if (!a.from) return { code: 2, error: 'restore needs --from <backup folder>' };
    if (store.kind === 'postgres') {
      const { manifest, movedAside, replacedTables } = await restorePostgresGateway(dataDir, store.url, a.from, a.force ?? false);
      for (const line of describeBackup(manifest, `from ${a.from} verified (every file's sha256, pg_restore --list)`)) print(line);
      print(
        `restored into the database ${pgTarget(store.url).label}${replacedTables ? ` (replacing ${replacedTables} tables, --force)` : ''} and the key files into ${dataDir}${movedAside ? `; what was there is kept at ${movedAside}` : ''}`,
      );
      print(RESENT);
      return { code: 0 };
    }
    if (backupStoreKind(a.from) === 'postgres') {
      throw new BackupError(`${a.from} is a backup of a PostgreSQL store (pg_dump): this config keeps its store in SQLite; restore it with a config whose store is postgres`);
    }
    const { manifest, movedAside } = restoreGateway(dataDir, a.from, a.force ?? false);
    for (const line of describeBackup(manifest, `from ${a.from} verified (every file's sha256, SQLite integrity)`)) print(line);
    print(`restored into ${dataDir}${movedAside ? `; what was there is kept at ${movedAside}` : ''}`);
    print(RESENT);
    return { code: 0 };
  } catch (err) {
    if (err instanceof BackupError || err instanceof ConfigError) return { code: 2, error: err.message };
    throw err;
  }
}
