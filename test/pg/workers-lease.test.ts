/**
 * Job leases (gateway/workers/job-lease.ts) between workers on one PostgreSQL: one holder per job,
 * a worker that loses the database stops running its jobs before another takes them over, and a
 * worker that stops gives its jobs back at once. On SQLite every job is held without a table. While
 * the database is gone the failed renewals make one log line, not one per job and round.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore, type GatewayStore } from '../../gateway/store/database.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { migrateStore } from '../../gateway/store/migrations.js';
import { JOB_LEASE_MIGRATIONS, JobLeases, LEASED_JOBS, leasesOf } from '../../gateway/workers/job-lease.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { takeDatabaseAway, testClusterUrl, testDatabaseUrl } from '../support/pg-cluster.js';

const silent = pino({ level: process.env.LEASE_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stores: GatewayStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
});

async function pgStore(url: string): Promise<GatewayStore> {
  const s = await openPostgresStore({ connectionString: url, poolSize: 2 });
  stores.push(s);
  return s;
}

it('one holder per job; a worker cut from the database stops running, then another takes over; a stop gives the jobs back', async () => {
  const url = await testDatabaseUrl(`workers-lease-${process.pid}-${Date.now()}`);
  const [sa, sb, sc] = [await pgStore(url), await pgStore(url), await pgStore(url)];
  await migrateStore(sa, JOB_LEASE_MIGRATIONS);
  const ttlMs = 1200;
  const a = new JobLeases({ store: sa, workerId: 'w-a', logger: silent, ttlMs });
  // B's lease lives longer, so that a hand-over on stop is told apart from an expiry.
  const b = new JobLeases({ store: sb, workerId: 'w-b', logger: silent, ttlMs: 6000 });
  // A first: it takes every job; B, starting a moment later, finds them held.
  await a.start();
  await b.start();
  for (const job of LEASED_JOBS) expect([a.holds(job), b.holds(job)].filter(Boolean), job).toHaveLength(1);
  const heldByA = LEASED_JOBS.filter((j) => a.holds(j));
  expect(heldByA.length).toBeGreaterThan(0);

  // A loses the database (its connections close): its renewals fail; it must stop before B starts.
  await sa.close();
  const seen: Array<{ at: number; a: boolean; b: boolean }> = [];
  const t0 = Date.now();
  while (Date.now() - t0 < 5000) {
    seen.push({ at: Date.now() - t0, a: a.holds(heldByA[0]!), b: b.holds(heldByA[0]!) });
    await sleep(20);
  }
  expect(seen.some((s) => s.a && s.b)).toBe(false);
  expect(seen.at(-1)).toMatchObject({ a: false, b: true });
  for (const job of LEASED_JOBS) expect(b.holds(job), job).toBe(true);

  // The terms of each job never overlap: a term begins after the previous one's last renewal.
  const terms = await sc.db.selectFrom('job_lease_terms').selectAll().orderBy('job').orderBy('term').execute();
  for (const job of heldByA) {
    const t = terms.filter((r) => r.job === job).map((r) => ({ ...r, taken_at: Number(r.taken_at), held_until: Number(r.held_until) }));
    expect(t.map((r) => r.holder)).toEqual([a.holder, b.holder]);
    expect(t[1]!.taken_at).toBeGreaterThan(t[0]!.held_until);
  }

  // A graceful stop hands over without waiting for the expiry.
  const c = new JobLeases({ store: sc, workerId: 'w-c', logger: silent, ttlMs: 1500 });
  await c.start();
  expect(LEASED_JOBS.some((j) => c.holds(j))).toBe(false);
  await b.stop();
  // B's leases had at least 2 s to live (renewed every 2 s for 6 s); C renews every 0.5 s.
  await sleep(1000);
  for (const job of LEASED_JOBS) expect(c.holds(job), job).toBe(true);
  await c.stop();
  await a.stop();
}, 60_000);

it('on SQLite every job is held and no lease is written', async () => {
  const store = openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'hcp-lease-')), 'g.db') });
  stores.push(store);
  const leases = new JobLeases({ store, workerId: 'only', logger: silent });
  await leases.start();
  for (const job of LEASED_JOBS) expect(leases.holds(job) && leasesOf(store).holds(job)).toBe(true);
  await leases.stop();
});

it('logs renewals failing while the database is gone in one line, not one per job and round, and their return in one more', async () => {
  const url = await testDatabaseUrl(`workers-lease-log-${process.pid}-${Date.now()}`);
  const database = new URL(url).pathname.slice(1);
  const store = await pgStore(url);
  await migrateStore(store, JOB_LEASE_MIGRATIONS);
  const lines: Array<{ msg: string; jobs?: string[]; failed?: number; err?: { code?: string } }> = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  // A renewal round every 100 ms: some twenty rounds of six jobs while the database is gone.
  const leases = new JobLeases({ store, workerId: 'w-log', logger, ttlMs: 300 });
  await leases.start();
  const admin = new pg.Client({ connectionString: `${await testClusterUrl()}/postgres` });
  await admin.connect();
  try {
    const back = await takeDatabaseAway(admin, database);
    await sleep(2000);
    await back();
    await waitFor(() => lines.some((l) => l.msg === 'job leases renewed again'), { what: 'the renewals back' });
  } finally {
    await leases.stop();
    await admin.end();
  }
  const failing = lines.filter((l) => l.msg === 'job leases not renewed');
  expect(failing).toHaveLength(1);
  // The round under way when the sessions ended may have renewed its first jobs before failing the rest.
  expect(failing[0]!.failed).toBe(1);
  expect(failing[0]!.jobs!.length).toBeGreaterThan(0);
  expect(LEASED_JOBS).toEqual(expect.arrayContaining(failing[0]!.jobs!));
  const back = lines.filter((l) => l.msg === 'job leases renewed again');
  expect(back).toHaveLength(1);
  expect(back[0]!.failed).toBeGreaterThanOrEqual(5);
});
