/**
 * The uplink alone in a process over a gateway store file, for kill -9 drills:
 *   node --import tsx uplink-child.ts <db file> <province ratings url> <key> <holdMs> <chunk>
 * It follows the ratings ledger (filled by the parent) on its timer, as the gateway's uplink does
 * when no event tells it of a change.
 */
import pino from 'pino';
import { TypedEventBus } from '../../../gateway/events/event-bus.js';
import { systemClock, type GatewayEvents } from '../../../gateway/feature.js';
import { AuditLog } from '../../../gateway/audit/audit-log.js';
import { ConsoleAuth } from '../../../gateway/http/console-auth.js';
import { ReferenceConfigSchema } from '../../../gateway/uplink/provinces/reference/config.js';
import { ReferenceAdapter } from '../../../gateway/uplink/provinces/reference/reference-adapter.js';
import { UplinkFeature } from '../../../gateway/uplink/uplink-feature.js';
import { openTestStore } from './fixtures.js';

const [file, url, key, holdMs, chunk] = process.argv.slice(2) as [string, string, string, string, string];
const logger = pino({ level: 'silent' });
const store = await openTestStore(file);
const audit = new AuditLog(store, systemClock);
const feature = new UplinkFeature({
  store,
  clock: systemClock,
  logger,
  events: new TypedEventBus<GatewayEvents>(logger),
  adapter: new ReferenceAdapter(ReferenceConfigSchema.parse({ adapter: 'reference', url, appId: 'hall-1', key, areaCode: '131000', deptCode: 'LF-01' })),
  guard: new ConsoleAuth(store, systemClock, audit).require('hall-it'),
  audit,
  // Small enqueue steps, so a kill can land between two of them.
  outbox: { holdMs: Number(holdMs), enqueueChunk: Number(chunk), batchSize: 50, concurrency: 4, pumpEveryMs: 50 },
  sending: { baseBackoffMs: 20, maxBackoffMs: 200, idleMs: 20 },
});
await feature.start();
process.stdout.write('started\n');
process.on(
  'SIGTERM',
  () =>
    void feature
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0)),
);
