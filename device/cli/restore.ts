/**
 * `npm run device:restore -- --config device.json --from <backup folder> [--force]`: verify a
 * device backup and put it in place; the device then starts a new epoch (device/backup/device-backup.ts
 * says why), so put a new enrolment code from hall IT in the config's gateway.enrolmentCode.
 * Exits 0 when restored, 2 with one line when refused (a corrupt backup, another device's, the data dir in use).
 */
import { parseArgs } from 'node:util';
import { BackupError } from '@hcp/contract/backup-folder';
import { describeDeviceBackup, restoreDevice } from '../backup/device-backup.js';
import { ConfigError, loadDeviceConfig } from '../config/device-config.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, from: { type: 'string' }, force: { type: 'boolean', default: false } } });
const configFile = values.config ?? process.env.HCP_DEVICE_CONFIG;
if (!configFile || !values.from) {
  process.stderr.write('usage: device:restore --config <device.json> --from <backup folder> [--force]\n');
  process.exit(2);
}
try {
  const config = loadDeviceConfig(configFile);
  const r = restoreDevice(config.dataDir, config.deviceId, values.from, values.force);
  const lines = [
    ...describeDeviceBackup(r.manifest, `from ${values.from} verified (every file's sha256, SQLite integrity)`),
    `restored into ${config.dataDir}${r.movedAside ? `; what was there is kept at ${r.movedAside}` : ''}`,
    `the backed-up chain is kept at ${r.archivedChain} (check it: npm run device:verify -- --data-dir ${r.archivedChain})`,
    'a new epoch starts: the device makes a new key and enrols again, so it cannot sign a second record at a seq it already used;',
    '  ask hall IT for a new enrolment code and put it in gateway.enrolmentCode before starting the device',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (err) {
  if (!(err instanceof BackupError || err instanceof ConfigError)) throw err;
  process.stderr.write(`hcp-device: ${err.message}\n`);
  process.exit(2);
}
