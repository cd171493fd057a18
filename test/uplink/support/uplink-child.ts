/**
 * The uplink alone in a process over a gateway store file, for kill -9 drills:
 *   node --import tsx uplink-child.ts <db file> <province url> <key>
 */
import Database from 'better-sqlite3';
import pino from 'pino';
import { HttpProvinceAdapter } from '../../../gateway/uplink/http-adapter.js';
import { UplinkFeature } from '../../../gateway/uplink/uplink-feature.js';

const [file, url, key] = process.argv.slice(2) as [string, string, string];
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const feature = new UplinkFeature({
  db, profile: { areaCode: '131000', deptCode: 'LF-01' }, logger: pino({ level: 'silent' }),
  adapter: new HttpProvinceAdapter({ url, appId: 'hall-1', key }),
  sender: { batchSize: 50, concurrency: 4, baseBackoffMs: 20, maxBackoffMs: 200, idleMs: 20 },
  pumpEveryMs: 50,
});
feature.start();
process.stdout.write('started\n');
process.on('SIGTERM', () => void feature.stop().then(() => process.exit(0)));
