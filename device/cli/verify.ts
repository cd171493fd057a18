/**
 * `npm run device:verify -- --data-dir <dir>`: hall IT's tamper check of a device store.
 * Prints a report; exits 0 when the chain is intact, 1 when anything is wrong, 2 on bad usage.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDeviceDatabase } from '../store/database.js';
import { readDevicePublicKey } from '../store/device-key.js';
import { verifyDeviceStore } from '../store/verify-store.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } } });
const dataDir = values['data-dir'];
if (!dataDir || !existsSync(join(dataDir, 'device.db'))) {
  process.stderr.write('usage: device:verify --data-dir <device data dir containing device.db> [--json]\n');
  process.exit(2);
}
const db = openDeviceDatabase(join(dataDir, 'device.db'), { readonly: true });
const report = verifyDeviceStore(db, readDevicePublicKey(dataDir));
db.close();
if (values.json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  process.stdout.write(
    `device ${report.deviceId ?? '(empty)'}: ${report.records} records (${report.ratings} ratings), head seq ${report.headSeq}, acknowledged through ${report.ackedThroughSeq}` +
      `${report.prunedThroughSeq > 0 ? `, pruned through ${report.prunedThroughSeq}` : ''}\n`,
  );
  for (const p of report.problems.slice(0, 50)) process.stdout.write(`  seq ${p.seq}: ${p.problem}\n`);
  if (report.problems.length > 50) process.stdout.write(`  … and ${report.problems.length - 50} more\n`);
  process.stdout.write(report.problems.length === 0 ? 'OK: the chain is intact\n' : `TAMPERED: ${report.problems.length} problem(s)\n`);
}
process.exit(report.problems.length === 0 ? 0 : 1);
