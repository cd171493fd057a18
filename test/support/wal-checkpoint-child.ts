/**
 * Run under strace by test/gateway/wal-checkpointer.test.ts: opens the gateway's store in
 * `argv[2]` as the gateway does, fsyncs a marker file from the main thread (where the measured
 * part begins), commits enough to cross SQLite's checkpoint threshold (1,000 pages) several
 * times, waits until the database file has taken half of them in (checkpoints ran), prints its pid
 * and kills itself — no close, whose checkpoint would sync from the main thread.
 */
import { closeSync, fsyncSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openConfiguredStore, SQLITE_FILE } from '../../gateway/store/open-store.js';

const dir = process.argv[2]!;
const store = await openConfiguredStore({ dataDir: dir }, { onCheckpointerFailed: (err) => process.stderr.write(`checkpointer failed: ${err.message}\n`) });
await sql`CREATE TABLE notes (n INTEGER PRIMARY KEY, text TEXT NOT NULL)`.execute(store.db);
const size = () => statSync(join(dir, SQLITE_FILE)).size;
const before = size();
const marker = openSync(join(dir, 'marker'), 'w');
fsyncSync(marker);
closeSync(marker);
const text = 'x'.repeat(30_000);
for (let n = 1; n <= 300; n++) await store.write((trx) => sql`INSERT INTO notes (n, text) VALUES (${n}, ${text})`.execute(trx));
const until = Date.now() + 10_000;
while (size() < before + 150 * 30_000 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
// The checkpoint syncs the database file just after writing the pages into it: wait until the
// checkpoint running now has ended (with its sync), or 5 s when none was running (the one that
// wrote the pages had ended, sync and all). A fixed 500 ms was too short on a busy CI machine.
const runsAtSize = store.walCheckpoints!().runs;
const synced = Date.now() + 5_000;
while (store.walCheckpoints!().runs < runsAtSize + 1 && Date.now() < synced) await new Promise((r) => setTimeout(r, 20));
process.stdout.write(`${process.pid} ${size() - before}\n`, () => process.kill(process.pid, 'SIGKILL'));
