/**
 * Run under strace by test/gateway/wal-flush.test.ts: opens a gateway store on `argv[2]`, fsyncs a
 * marker file from the main thread (so the trace shows where the measured part begins), makes 20
 * writes and one write outside a transaction, prints its pid and kills itself — no close, whose
 * checkpoint would sync from the main thread.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { sql } from 'kysely';
import { openSqliteStore } from '../../gateway/store/database.js';

const file = process.argv[2]!;
const store = openSqliteStore({ file });
await sql`CREATE TABLE notes (n INTEGER PRIMARY KEY, text TEXT NOT NULL)`.execute(store.db);
const marker = openSync(`${file}.marker`, 'w');
fsyncSync(marker);
closeSync(marker);
for (let n = 1; n <= 20; n++) await store.write((trx) => sql`INSERT INTO notes (n, text) VALUES (${n}, ${`note ${n}`})`.execute(trx));
await sql`UPDATE notes SET text = 'edited' WHERE n = 1`.execute(store.db);
process.stdout.write(`${process.pid}\n`, () => process.kill(process.pid, 'SIGKILL'));
