/**
 * Run under strace by test/gateway/wal-checkpointer.test.ts: opens the gateway's store in
 * `argv[2]` as the gateway does, fsyncs a marker file from the main thread (where the measured
 * part begins), commits enough to cross SQLite's checkpoint threshold (1,000 pages) several
 * times, waits until the database file has taken half of them in (checkpoints ran) and a checkpoint
 * has copied the whole WAL (the one that syncs the database file), prints its pid, what the
 * database file took in and the connection's own checkpoints, and kills itself — no close, whose checkpoint would sync from the main thread.
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
// SQLite syncs the database file only at the end of a checkpoint that copied the whole WAL: one
// that ran beside commits copied part of it and synced nothing. Wait for a checkpoint that copied
// every frame now in the WAL (the thread runs one after the last commit). Waiting for "one more
// checkpoint" was not enough on a loaded machine: the one counted had begun before the last commit,
// and the child was killed before the next one synced (a CI run saw no sync of the database file).
const frameBytes = Number(store.sqlite!.pragma('page_size', { simple: true })) + 24;
const walFrames = () => Math.max(0, (statSync(join(dir, `${SQLITE_FILE}-wal`)).size - 32) / frameBytes);
const copiedAll = () => {
  const last = store.walCheckpoints!().last;
  return last !== null && last.busy === 0 && last.checkpointed === last.log && last.log === walFrames();
};
const synced = Date.now() + 10_000;
while (!copiedAll() && Date.now() < synced) await new Promise((r) => setTimeout(r, 20));
// Its pid, the bytes the database file took in, and how often the store's own connection copied the rest of a long WAL.
process.stdout.write(`${process.pid} ${size() - before} ${store.walCheckpoints!().restarts}\n`, () => process.kill(process.pid, 'SIGKILL'));
