/**
 * Run by test/gateway/wal-checkpointer.test.ts: a program that opens the gateway's store in
 * `argv[2]`, commits (the checkpointing thread starts), closes the store and says so. Nothing
 * else of it keeps the process alive, as in a program that embeds the gateway and stops it.
 */
import { sql } from 'kysely';
import { openConfiguredStore } from '../../gateway/store/open-store.js';

const store = await openConfiguredStore({ dataDir: process.argv[2]! }, { onCheckpointerFailed: (err) => process.stderr.write(`checkpointer failed: ${err.message}\n`) });
await sql`CREATE TABLE notes (n INTEGER PRIMARY KEY)`.execute(store.db);
await store.write((trx) => sql`INSERT INTO notes (n) VALUES (1)`.execute(trx));
await store.close();
process.stdout.write('closed\n');
