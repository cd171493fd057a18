/**
 * `npm run device:export-bundle -- --config device.json --out /media/usb`: the village path (issue 13,
 * docs/VILLAGE.md). Writes every record the gateway has not acknowledged to a signed bundle file in
 * the folder given (the USB stick), while the device program keeps running. Prints what it wrote;
 * exits 0 (also when there is nothing to export), 1 when it could not, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { exportBundle } from '../bundle/bundle-export.js';
import { ConfigError, loadDeviceConfig } from '../config/device-config.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, out: { type: 'string' } } });
if (!values.config || !values.out) {
  process.stderr.write('usage: device:export-bundle --config device.json --out <folder on the USB stick>\n');
  process.exit(2);
}
try {
  const config = loadDeviceConfig(values.config);
  const r = exportBundle({ dataDir: config.dataDir, deviceId: config.deviceId, outDir: values.out });
  if (!r.written) {
    process.stdout.write(`${r.reason}\n`);
    process.exit(0);
  }
  const b = r.bundle;
  process.stdout.write(
    `bundle written: ${r.file}\n  device ${b.deviceId}, ${b.records} records (seq ${b.fromSeq}-${b.throughSeq}), acknowledged before it: through ${b.ackedThroughSeq}\n` +
      '  take it to the town hall; bring back the receipt file and run device:import-receipt\n',
  );
} catch (err) {
  process.stderr.write(`device:export-bundle: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
}
