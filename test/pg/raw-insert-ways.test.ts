/**
 * bench:gateway's raw insert on PostgreSQL (scripts/bench/raw-postgres.ts) and the way
 * pg-raw-variants.ts adds beside it: COPY with its data made before the clock starts, the server's
 * own pace (docs/POSTGRES.md, "What the server itself takes"). Both store every row with its body
 * as made (the function counts them and fails otherwise); the made-first way is COPY's alone; an
 * insert that fails fails the bench with its own error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeBatches } from '../../scripts/bench/pg-throughput.js';
import { rawPostgresInsert } from '../../scripts/bench/raw-postgres.js';
import { rawDevice } from '../../scripts/bench/sim-devices.js';
import { type PgCluster, startPgCluster } from '../support/pg-cluster.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
}, 60_000);
afterAll(() => cluster?.stop());

it('stores every row by COPY, with its data made in the timed loop or before it', async () => {
  // 1,200 rows: two full transactions of a device's batch and a part one.
  const { records } = makeBatches([rawDevice('raw-ways')], 1_200);
  const inLoop = await rawPostgresInsert(cluster.baseUrl, records, { method: 'copy', isolation: 'read committed' });
  const madeFirst = await rawPostgresInsert(cluster.baseUrl, records, { method: 'copy', isolation: 'read committed', dataMadeFirst: true });
  expect(inLoop).toBeGreaterThan(0);
  expect(madeFirst).toBeGreaterThan(0);
}, 60_000);

it('refuses data made first for the prepared INSERT, by name', async () => {
  const { records } = makeBatches([rawDevice('raw-ways-insert')], 10);
  await expect(rawPostgresInsert(cluster.baseUrl, records, { method: 'insert', isolation: 'read committed', dataMadeFirst: true })).rejects.toThrow(
    'dataMadeFirst is a way of COPY only',
  );
}, 60_000);

it("rejects with the server's own error when an insert fails, its client closed before its database is dropped", async () => {
  // A record sent twice: the second COPY's row breaks records' UNIQUE (id). The client that ran
  // it, left open, would be cut off by the drop and end the run with that error instead
  // (vitest counts it as an unhandled error).
  const { records } = makeBatches([rawDevice('raw-ways-twice')], 600);
  await expect(rawPostgresInsert(cluster.baseUrl, [...records, records[0]!])).rejects.toThrow('duplicate key value violates unique constraint "records_id_key"');
}, 60_000);
