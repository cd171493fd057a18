/**
 * `npm run device:import-receipt -- --config device.json --file <receipt.json>`: the village path
 * (issue 13, docs/VILLAGE.md). Checks the town gateway's receipt (signed by a gateway of the hall CA
 * in gateway.caFile) and marks what it stored as acknowledged, so it is never sent again. Safe while
 * the device program runs, and harmless to repeat. Exits 0 when imported, 1 when refused, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { importReceipt } from '../bundle/receipt-import.js';
import { ConfigError, loadDeviceConfig } from '../config/device-config.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, file: { type: 'string' } } });
if (!values.config || !values.file) {
  process.stderr.write('usage: device:import-receipt --config device.json --file <receipt file from the town hall>\n');
  process.exit(2);
}
try {
  const config = loadDeviceConfig(values.config);
  const r = importReceipt({ dataDir: config.dataDir, deviceId: config.deviceId, caFile: config.gateway?.caFile, file: values.file });
  if (!r.ok) {
    process.stderr.write(`receipt refused: ${r.problem}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `receipt imported: acknowledged through seq ${r.ackedNow} (was ${r.ackedBefore}; ${r.newlyAcknowledged} newly acknowledged)` +
      `${r.markedRejected ? `, ${r.markedRejected} refused by the gateway (kept for hall IT)` : ''}; ${r.backlog} record(s) still to send\n`,
  );
} catch (err) {
  process.stderr.write(`device:import-receipt: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
}
