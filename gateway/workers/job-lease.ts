/**
 * One runner per periodic job when several gateway workers share one PostgreSQL (issue 14): the
 * device watch, R7 defaults, invitation expiry, follow-up deadlines, report generation and the
 * uplink pump each run on the worker that holds the job's lease (what is not leased, and why:
 * docs/POSTGRES.md "Several workers"). A lease is a row of
 * `job_leases` with an expiry; its holder renews it every third of its life, and another worker
 * takes it over once it has expired (the holder died, or lost the database). The holder stops
 * starting runs a safety margin before its lease could lapse, so two holders never overlap as long
 * as the workers' clocks agree within that margin (NTP) and a run ends within it.
 *
 * On SQLite there is one worker: every job is held, no table is touched, nothing changes.
 * A store without registered leases (a test building a scheduler alone) also holds every job.
 *
 * Plain SQL only: INSERT … ON CONFLICT (job) DO UPDATE … WHERE, which PostgreSQL and the
 * PostgreSQL-compatible domestic engines accept; times are integers (ms since the epoch).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { RepeatedFailure } from '../log/repeated-failure.js';
import { sql } from 'kysely';
import type { GatewayStore } from '../store/database.js';
import { runStatements, type GatewayMigration } from '../store/migrations.js';

export const LEASED_JOBS = ['device-watch', 'r7-defaults', 'invitation-expiry', 'followup', 'reports', 'uplink-pump'] as const;
export type LeasedJob = (typeof LEASED_JOBS)[number];

const TABLE_STATEMENTS = [
  // The live lease of each job: who holds it, since which term, until when.
  `CREATE TABLE IF NOT EXISTS job_leases (
    job TEXT PRIMARY KEY, holder TEXT NOT NULL, term INTEGER NOT NULL, taken_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
  // Every term, with the last expiry its holder renewed to: terms of one job never overlap
  // (a term begins after the previous one's held_until), which the workers drill checks.
  `CREATE TABLE IF NOT EXISTS job_lease_terms (
    job TEXT NOT NULL, term INTEGER NOT NULL, holder TEXT NOT NULL, taken_at INTEGER NOT NULL, held_until INTEGER NOT NULL,
    PRIMARY KEY (job, term))`,
];

/** In gateway/migrations.ts (CORE_PART_MIGRATIONS): the tables exist before any worker starts its leases. */
export const JOB_LEASE_MIGRATIONS: GatewayMigration[] = [{ name: '20261202-01-core-job-leases', up: (db) => runStatements(db, TABLE_STATEMENTS) }];

export interface JobLeasesTable {
  job: string;
  holder: string;
  term: number;
  taken_at: number;
  expires_at: number;
}

export interface JobLeaseTermsTable {
  job: string;
  term: number;
  holder: string;
  taken_at: number;
  held_until: number;
}

declare module '../store/tables.js' {
  interface GatewayTables {
    job_leases: JobLeasesTable;
    job_lease_terms: JobLeaseTermsTable;
  }
}

/** What a periodic job asks before a run. */
export interface JobHolder {
  holds(job: LeasedJob): boolean;
}

/** At most one line this often while renewals fail (logRound). */
export const RENEWAL_FAILURES_LOG_MS = 30_000;

const ALWAYS: JobHolder = { holds: () => true };
const byStore = new WeakMap<GatewayStore, JobHolder>();

/** The leases of the worker on this store, looked up at each call (every job held when none run: SQLite, tests). */
export function leasesOf(store: GatewayStore): JobHolder {
  return { holds: (job) => (byStore.get(store) ?? ALWAYS).holds(job) };
}

export interface JobLeasesOptions {
  store: GatewayStore;
  workerId: string;
  logger: Logger;
  /** Life of a lease; another worker takes a job over at most this long after its holder died. */
  ttlMs?: number;
  /** The holder stops starting runs this long before its lease could lapse (clock skew, a run's length). */
  marginMs?: number;
}

export class JobLeases implements JobHolder {
  private readonly heldUntil = new Map<LeasedJob, number>();
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  /** Renewal rounds that failed (logRound): `failed` in its lines counts rounds. */
  private readonly renewals: RepeatedFailure;
  private readonly ttlMs: number;
  private readonly marginMs: number;
  /**
   * The worker's name and this start of it: a worker restarted under the same name is a new holder
   * and waits for its predecessor's lease to expire like any other (two processes given one name
   * by mistake must not both hold a job either).
   */
  readonly holder: string;

  constructor(private readonly o: JobLeasesOptions) {
    this.ttlMs = o.ttlMs ?? 15_000;
    this.marginMs = o.marginMs ?? Math.floor(this.ttlMs / 5);
    this.holder = `${o.workerId}/${randomBytes(4).toString('hex')}`;
    this.renewals = new RepeatedFailure(o.logger, { msg: 'job leases not renewed', recovered: 'job leases renewed again', everyMs: RENEWAL_FAILURES_LOG_MS });
  }

  holds(job: LeasedJob): boolean {
    if (this.o.store.dialect === 'sqlite') return true;
    return (this.heldUntil.get(job) ?? 0) - this.marginMs > Date.now();
  }

  /** Take or renew every job's lease now, then every third of a lease's life. */
  async start(): Promise<void> {
    if (this.o.store.dialect === 'sqlite' || this.timer) return;
    byStore.set(this.o.store, this);
    await this.renewAll();
    this.timer = setInterval(() => void this.renewAll(), Math.floor(this.ttlMs / 3));
    this.timer.unref();
  }

  /** Give the leases back, so that another worker takes the jobs over at once. */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    await this.renewing;
    byStore.delete(this.o.store);
    const now = Date.now();
    this.heldUntil.clear();
    const me = this.holder;
    await this.o.store
      .write(async (trx) => {
        const mine = await trx.updateTable('job_leases').set({ expires_at: now }).where('holder', '=', me).returning(['job', 'term']).execute();
        for (const l of mine) await trx.updateTable('job_lease_terms').set({ held_until: now }).where('job', '=', l.job).where('term', '=', Number(l.term)).execute();
      })
      .catch((err: unknown) => this.o.logger.warn({ err }, 'job leases not given back; they expire by themselves'));
  }

  private renewAll(): Promise<void> {
    this.renewing ??= (async () => {
      const failed: Array<{ job: LeasedJob; err: unknown }> = [];
      for (const job of LEASED_JOBS) {
        try {
          await this.renew(job);
        } catch (err) {
          // Without the database this worker cannot know it still holds the job: it stops
          // running it when the time it was sure of runs out.
          failed.push({ job, err });
        }
      }
      this.logRound(failed);
    })().finally(() => (this.renewing = null));
    return this.renewing;
  }

  /** A round's failed renewals in one line, and not one more for 30 s while they go on failing (RepeatedFailure). */
  private logRound(failed: Array<{ job: LeasedJob; err: unknown }>): void {
    if (failed.length === 0) this.renewals.succeed();
    else this.renewals.fail({ err: failed[0]!.err, jobs: failed.map((x) => x.job) });
  }

  private async renew(job: LeasedJob): Promise<void> {
    const me = this.holder;
    const asked = Date.now();
    const until = asked + this.ttlMs;
    const row = await this.o.store.write(async (trx) => {
      const got = await trx
        .insertInto('job_leases')
        .values({ job, holder: me, term: 1, taken_at: asked, expires_at: until })
        .onConflict((oc) =>
          oc
            .column('job')
            .doUpdateSet({
              holder: me,
              term: sql<number>`CASE WHEN job_leases.holder = ${me} THEN job_leases.term ELSE job_leases.term + 1 END`,
              taken_at: sql<number>`CASE WHEN job_leases.holder = ${me} THEN job_leases.taken_at ELSE ${asked} END`,
              expires_at: until,
            })
            .where(sql<boolean>`job_leases.holder = ${me} OR job_leases.expires_at < ${asked}`),
        )
        .returning(['term', 'taken_at'])
        .executeTakeFirst();
      if (!got) return null;
      await trx
        .insertInto('job_lease_terms')
        .values({ job, term: Number(got.term), holder: me, taken_at: Number(got.taken_at), held_until: until })
        .onConflict((oc) => oc.columns(['job', 'term']).doUpdateSet({ held_until: until }))
        .execute();
      return { term: Number(got.term), takenAt: Number(got.taken_at) };
    });
    const had = this.holds(job);
    if (row) this.heldUntil.set(job, until);
    else this.heldUntil.delete(job);
    if (row && row.takenAt === asked) this.o.logger.info({ job, term: row.term }, 'job lease taken: this worker runs the job');
    else if (!row && had) this.o.logger.warn({ job }, 'job lease lost to another worker');
  }
}
