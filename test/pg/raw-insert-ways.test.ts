/**
 * bench:gateway's raw insert on PostgreSQL (scripts/bench/raw-postgres.ts) and the way
 * pg-raw-variants.ts adds beside it: COPY with its data made before the clock starts, the server's
 * own pace (docs/POSTGRES.md, "What the server itself takes"). Both store every row with its body
 * as made (the function counts them and fails otherwise); the made-first way is COPY's alone.
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
