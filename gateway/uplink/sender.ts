/**
 * Sends the outbox to the province. Rows are spread over UPLINK_LANES lanes by order key (the
 * device, or the case for a default rating); each worker owns a fixed set of lanes and sends one
 * batch at a time from them, oldest rating first, so per-device order of first submission holds
 * while `concurrency` requests run at once. A failing request backs the worker off exponentially
 * with equal jitter (honouring Retry-After); a duplicate answer counts as delivered; a permanent
 * rejection moves only that row to the dead-letter table, so a poison record blocks nothing.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ProvinceAdapter, RecordOutcome } from './adapter.js';
import { UPLINK_LANES } from './outbox-schema.js';

export interface SenderOptions {
  batchSize?: number;
  concurrency?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A record answered "retry" this many times is dead-lettered with the last reason. */
  maxRecordAttempts?: number;
  /** Idle poll when nothing is pending. */
  idleMs?: number;
  /** If false, rows go in outbox order instead of rating time (slightly cheaper). */
  orderByRatingTime?: boolean;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

interface OutRow { id: number; assess_id: string; payload: string; attempts: number }

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class UplinkSender {
  private readonly o: Required<Omit<SenderOptions, 'now' | 'sleep' | 'random'>>;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private abort = new AbortController();
  private workers: Promise<void>[] = [];
  private wake: Array<() => void> = [];
  private marks: Array<{ lane: number; rows: OutRow[]; outcomes: Map<string, RecordOutcome> }> = [];
  private readonly unflushedInLane = new Map<number, number>();
  private readonly unflushed = new Set<number>();
  private readonly st;

  constructor(private readonly db: Database.Database, private readonly adapter: ProvinceAdapter, private readonly log: Logger, opts: SenderOptions = {}) {
    this.o = {
      batchSize: opts.batchSize ?? 200,
      concurrency: Math.min(opts.concurrency ?? 4, UPLINK_LANES),
      baseBackoffMs: opts.baseBackoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 5 * 60_000,
      maxRecordAttempts: opts.maxRecordAttempts ?? 50,
      idleMs: opts.idleMs ?? 1000,
      orderByRatingTime: opts.orderByRatingTime ?? true,
    };
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? abortableSleep;
    this.random = opts.random ?? Math.random;
    this.st = {
      sentMany: db.prepare("UPDATE uplink_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending'"),
      retry: db.prepare("UPDATE uplink_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'"),
      dead: db.prepare("UPDATE uplink_outbox SET state = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'"),
      deadLetter: db.prepare('INSERT OR REPLACE INTO uplink_dead_letters (outbox_id, assess_id, reason, dead_at) VALUES (?, ?, ?, ?)'),
    };
  }

  start(): void {
    if (this.workers.length > 0) return;
    this.abort = new AbortController();
    for (let w = 0; w < this.o.concurrency; w++) {
      const lanes = Array.from({ length: UPLINK_LANES }, (_, i) => i).filter((l) => l % this.o.concurrency === w);
      this.workers.push(this.run(lanes));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.poke();
    await Promise.all(this.workers);
    this.workers = [];
    if (this.marks.length > 0) this.flushMarks();
  }

  /** New rows were enqueued: wake idle workers instead of waiting for the poll. */
  poke(): void {
    for (const w of this.wake.splice(0)) w();
  }

  pendingCount(): number {
    return this.db.prepare("SELECT count(*) FROM uplink_outbox WHERE state = 'pending'").pluck().get() as number;
  }

  private async run(lanes: number[]): Promise<void> {
    // One lane per query, so SQLite walks the partial index in order instead of sorting a backlog.
    const order = this.o.orderByRatingTime ? 'at, id' : 'id';
    const pick = this.db.prepare(`SELECT id, assess_id, payload, attempts FROM uplink_outbox WHERE state = 'pending' AND lane = ? ORDER BY ${order} LIMIT ?`);
    let failures = 0;
    let turn = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let rows: OutRow[] = [];
      let lane = 0;
      try {
        for (let k = 0; k < lanes.length && rows.length === 0; k++) {
          lane = lanes[(turn + k) % lanes.length]!;
          // Rows answered but not yet committed are at the head of their lane: skip past them.
          const skip = this.unflushedInLane.get(lane) ?? 0;
          rows = (pick.all(lane, this.o.batchSize + skip) as OutRow[]);
          if (skip > 0) rows = rows.filter((r) => !this.unflushed.has(r.id)).slice(0, this.o.batchSize);
        }
        turn++;
      } catch (err) {
        this.log.error({ err }, 'outbox read failed');
        await this.sleep(this.o.idleMs, signal);
        continue;
      }
      if (rows.length === 0) {
        await this.idle(signal);
        continue;
      }
      const batch = rows.map((r) => ({ assessId: r.assess_id, json: r.payload }));
      const result = await this.adapter.send(batch);
      if (signal.aborted && result.kind === 'retryable') break;
      if (result.kind === 'retryable') {
        failures++;
        const backoff = this.backoff(failures, result.retryAfterMs);
        this.log.warn({ reason: result.reason, failures, backoffMs: backoff, batch: rows.length }, 'province request failed; backing off');
        await this.sleep(backoff, signal);
        continue;
      }
      failures = 0;
      // Outcomes are group-committed in the background; the worker goes on with the next batch
      // (rows awaiting that commit are skipped by the pick), so fsyncs overlap the province's work.
      let retryable = 0;
      for (const r of rows) {
        const out = result.outcomes.get(r.assess_id);
        if (!out || out.status === 'retryable') retryable++;
        this.unflushed.add(r.id);
      }
      this.unflushedInLane.set(lane, (this.unflushedInLane.get(lane) ?? 0) + rows.length);
      this.record(lane, rows, result.outcomes);
      if (retryable > 0) await this.sleep(this.backoff(1), signal);
    }
  }

  /**
   * Group commit: the outcomes of every worker's answered batch are written in one transaction
   * (one fsync under synchronous=FULL instead of one per batch). Until it commits, the rows stay
   * in `unflushed` so no worker picks them again; if it fails they are simply sent again and the
   * province answers duplicate.
   */
  private record(lane: number, rows: OutRow[], outcomes: Map<string, RecordOutcome>): void {
    this.marks.push({ lane, rows, outcomes });
    if (this.marks.length === 1) setImmediate(() => this.flushMarks());
  }

  private flushMarks(): void {
    const marks = this.marks.splice(0);
    if (marks.length === 0) return;
    const at = new Date(this.now()).toISOString();
    try {
      this.db.transaction(() => {
        for (const { rows, outcomes } of marks) {
          const sent: number[] = [];
          for (const r of rows) {
            const out = outcomes.get(r.assess_id);
            if (!out || out.status === 'retryable') {
              const reason = out?.reason ?? 'no result';
              if (r.attempts + 1 >= this.o.maxRecordAttempts) this.toDead(r, `retried ${r.attempts + 1} times; last: ${reason}`, at);
              else this.st.retry.run(reason, r.id);
            } else if (out.status === 'rejected') this.toDead(r, out.reason, at);
            else sent.push(r.id);
          }
          if (sent.length > 0) this.st.sentMany.run(at, JSON.stringify(sent));
        }
      }).immediate();
    } catch (err) {
      this.log.error({ err }, 'outcomes not recorded; those records will be sent again (the province answers duplicate)');
    } finally {
      for (const m of marks) {
        for (const r of m.rows) this.unflushed.delete(r.id);
        this.unflushedInLane.set(m.lane, (this.unflushedInLane.get(m.lane) ?? 0) - m.rows.length);
      }
    }
  }

  private toDead(r: OutRow, reason: string, at: string): void {
    this.st.dead.run(reason, r.id);
    this.st.deadLetter.run(r.id, r.assess_id, reason, at);
    this.log.warn({ outboxId: r.id, reason }, 'record dead-lettered by the province');
  }

  private backoff(failures: number, retryAfterMs?: number): number {
    const cap = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** Math.min(failures - 1, 30));
    const jittered = Math.floor(cap / 2 + this.random() * (cap / 2));
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, this.o.maxBackoffMs));
  }

  private idle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        resolve();
      };
      this.wake.push(done);
      void this.sleep(this.o.idleMs, signal).then(done);
    });
  }
}
