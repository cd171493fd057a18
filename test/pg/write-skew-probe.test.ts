/**
 * The open's probe of SERIALIZABLE (gateway/store/write-skew-probe.ts), on Debian's PostgreSQL:
 * its SERIALIZABLE stops write skew; its REPEATABLE READ is snapshot isolation, which is what an
 * engine that gives snapshot isolation under the name SERIALIZABLE runs, and the probe finds
 * the skew there. Probes of workers starting together do not meet, and none leaves its table.
 * (No engine here answers SERIALIZABLE with snapshot isolation, so the open's refusal is shown
 * only through this, and its words against docs/POSTGRES.md's.)
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WRITE_SKEW_FOUND, writeSkewCommits } from '../../gateway/store/write-skew-probe.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';

let url: string;
let admin: pg.Client;
beforeAll(async () => {
  url = await testDatabaseUrl(`write-skew-${process.pid}-${Date.now()}`);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});
afterAll(() => admin?.end());

const probeTables = async () => (await admin.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'hcp_isolation_probe_%'`)).rows;

it('finds no write skew under SERIALIZABLE', async () => {
  expect(await writeSkewCommits({ connectionString: url })).toBe(false);
  expect(await probeTables()).toEqual([]);
});

it('finds write skew under snapshot isolation (PostgreSQL’s REPEATABLE READ)', async () => {
  expect(await writeSkewCommits({ connectionString: url }, 'repeatable read')).toBe(true);
  expect(await probeTables()).toEqual([]);
});

it('gives the same answer to probes run at once, as workers starting together run them', async () => {
  expect(await Promise.all(Array.from({ length: 4 }, () => writeSkewCommits({ connectionString: url })))).toEqual([false, false, false, false]);
  expect(await probeTables()).toEqual([]);
});

it('fails with the server’s error, dropping nothing of anyone else, when the role may not create a table', async () => {
  const role = `hcp_no_create_${process.pid}`;
  await admin.query(`CREATE ROLE ${role} LOGIN`);
  try {
    const u = new URL(url);
    u.username = role;
    await expect(writeSkewCommits({ connectionString: u.toString() })).rejects.toMatchObject({ code: '42501' });
    expect(await probeTables()).toEqual([]);
  } finally {
    await admin.query(`DROP ROLE ${role}`);
  }
});

it('is refused in the words docs/POSTGRES.md quotes', () => {
  expect(readFileSync('docs/POSTGRES.md', 'utf8').replace(/\s+/g, ' ')).toContain(`\`${WRITE_SKEW_FOUND}\``);
});
