/**
 * Is bench:gateway's PostgreSQL baseline the fastest way in (issue 14)? The same 100,000 rows of
 * one device, BATCH per transaction unless said, into fresh databases of one throw-away cluster
 * (the benches' own, fsync and synchronous_commit on), five ways each round, in an order that turns round by
 * round, each on a quiet machine: COPY in READ COMMITTED (the baseline raw-postgres.ts gives every
 * bench; pg-copy-streams), COPY in SERIALIZABLE (the isolation of ingest's group commits,
 * gateway/store/postgres-store.ts), and the prepared multi-row INSERT in READ COMMITTED (the
 * baseline before ingest took COPY); and COPY with two and four batches' rows a commit (what a
 * commit costs beside its rows); and the baseline with its data made before the clock starts (the
 * server's own pace, without this client's making of the rows' text). Prints each way's rows/s
 * per round and its median ratio to the baseline with the spread.
 * Usage: ROUNDS=5 npx tsx scripts/bench/pg-raw-variants.ts
 */
import { startPgCluster } from '../../test/support/pg-cluster.js';
import type { RawWay } from './raw-postgres.js';
import { printRatesByWay, rawRatesByRound } from './raw-rounds.js';
import { fmt } from './rounds.js';
import { BATCH } from './sim-devices.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`ROUNDS must be a whole number of rounds, at least 1, not ${process.env.ROUNDS}`);
const ROWS = 100_000;
const WAYS: Array<{ name: string; way: RawWay }> = [
  { name: 'COPY, READ COMMITTED (the baseline)', way: { method: 'copy', isolation: 'read committed' } },
  { name: 'COPY, SERIALIZABLE', way: { method: 'copy', isolation: 'serializable' } },
  { name: 'prepared INSERT, READ COMMITTED', way: { method: 'insert', isolation: 'read committed' } },
  // What a commit costs beside its rows: one device's batches committed two and four at a time.
  { name: `COPY, READ COMMITTED, ${2 * BATCH} rows a commit`, way: { method: 'copy', isolation: 'read committed', rowsPerCommit: 2 * BATCH } },
  { name: `COPY, READ COMMITTED, ${4 * BATCH} rows a commit`, way: { method: 'copy', isolation: 'read committed', rowsPerCommit: 4 * BATCH } },
  // The server's own pace: the baseline with its client's work (each row's body and COPY text) done before the clock.
  { name: 'COPY, READ COMMITTED, its data made before the clock', way: { method: 'copy', isolation: 'read committed', dataMadeFirst: true } },
];

const cluster = await startPgCluster();
try {
  const rates = await rawRatesByRound(
    cluster.baseUrl,
    WAYS.map((w) => w.way),
    { rounds: ROUNDS, rows: ROWS, devicePrefix: 'raw' },
  );
  console.log(`${fmt(ROWS)} rows of one device, ${ROUNDS} rounds, rows/s per round:`);
  printRatesByWay(
    WAYS.map((w) => w.name),
    rates,
  );
} finally {
  cluster.stop();
}
