/**
 * `npm run device:backup -- --config device.json --out <new folder>`: an online backup of the
 * device's data dir (the device may be running). Exits 0 when written, 2 with one line otherwise.
 */
import { parseArgs } from 'node:util';
import { BackupError } from '@hcp/contract/backup-folder';
import { backupDevice, describeDeviceBackup } from '../backup/device-backup.js';
import { ConfigError, loadDeviceConfig } from '../config/device-config.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, out: { type: 'string' } } });
const configFile = values.config ?? process.env.HCP_DEVICE_CONFIG;
if (!configFile || !values.out) {
  process.stderr.write('usage: device:backup --config <device.json> --out <new folder>\n');
  process.exit(2);
}
try {
  const config = loadDeviceConfig(configFile);
  const manifest = await backupDevice(config.dataDir, config.deviceId, values.out);
  process.stdout.write(`${describeDeviceBackup(manifest, `written to ${values.out}`).join('\n')}\n`);
} catch (err) {
  if (!(err instanceof BackupError || err instanceof ConfigError)) throw err;
  process.stderr.write(`hcp-device: ${err.message}\n`);
  process.exit(2);
}
