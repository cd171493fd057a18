/**
 * The `backup` and `restore` subcommands of gateway/main.ts:
 *   gateway backup --config gateway.json --out <new folder>      (online: the gateway may be running)
 *   gateway restore --config gateway.json --from <backup folder> [--force]
 * Answers the exit code; what went wrong is one line for hall IT (exit 2).
 */
import { ConfigError, loadGatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_FEATURES } from '../features.js';
import { BackupError } from '@hcp/contract/backup-folder';
import { backupGateway, describeBackup, refusePostgres, restoreGateway } from './gateway-backup.js';

export interface BackupCommandArgs {
  command: 'backup' | 'restore';
  configFile: string;
  out?: string | undefined;
  from?: string | undefined;
  force?: boolean | undefined;
}

export async function runBackupCommand(a: BackupCommandArgs, print: (line: string) => void): Promise<{ code: number; error?: string }> {
  try {
    refusePostgres(a.configFile);
    const { dataDir } = loadGatewayConfig(a.configFile, GATEWAY_FEATURES);
    if (a.command === 'backup') {
      if (!a.out) return { code: 2, error: 'backup needs --out <new folder>' };
      const m = await backupGateway(dataDir, a.out);
      for (const line of describeBackup(m, `written to ${a.out}`)) print(line);
      return { code: 0 };
    }
    if (!a.from) return { code: 2, error: 'restore needs --from <backup folder>' };
    const { manifest, movedAside } = restoreGateway(dataDir, a.from, a.force ?? false);
    for (const line of describeBackup(manifest, `from ${a.from} verified (every file's sha256, SQLite integrity)`)) print(line);
    print(`restored into ${dataDir}${movedAside ? `; what was there is kept at ${movedAside}` : ''}`);
    print('records the gateway stored after this backup are not in it: devices still holding them send them again when they connect (docs/OPERATIONS.md "Backup and restore")');
    return { code: 0 };
  } catch (err) {
    if (err instanceof BackupError || err instanceof ConfigError) return { code: 2, error: err.message };
    throw err;
  }
}
