/**
 * A batch submitted the moment the previous one is decided is still taken: the drain that decided
 * the first had not yet let go of the queue when the caller came back (found by the village bundle
 * import, which submits batch after batch from one loop; MQTT submits come from socket events).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { IngestQueue } from '../../gateway/ingest/ingest-queue.js';
import { CORE_PART_MIGRATIONS } from '../../gateway/migrations.js';
import { openSqliteStore, type GatewayStore } from '../../gateway/store/database.js';
import { migrateStore } from '../../gateway/store/migrations.js';

let store: GatewayStore | null = null;
afterEach(async () => store?.close());

it('takes a batch submitted right after the previous one is decided', async () => {
  store = openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'hcp-ingest-')), 'gateway.db') });
  await migrateStore(store, CORE_PART_MIGRATIONS);
  const refused: string[] = [];
  const queue = new IngestQueue(store, { now: () => Date.now() }, pino({ level: 'silent' }), {
    ack: () => {},
    refused: (_deviceId, why) => refused.push(why),
    stored: () => {},
  });
  // Not JSON: each batch is decided (refused) without touching the store — enough to cycle the queue.
  // Awaited directly, as a loop of submits does: the next submit runs in the very microtask after.
  const loop = (async () => {
    for (let i = 0; i < 3; i++) await queue.submit('dev-1', Buffer.from('not json'));
    return 'all decided';
  })();
  expect(await Promise.race([loop, new Promise((r) => setTimeout(() => r(`stuck after ${refused.length} decided`), 2000))])).toBe('all decided');
  expect(refused).toHaveLength(3);
});
