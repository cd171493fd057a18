/**
 * Sends the outbox to the province (docs/DESIGN.md "How a rating flows", step 5).
 *
 *  - Lanes (outbox.ts): each of `concurrency` workers owns a fixed set of lanes and sends one batch
 *    at a time from them, oldest rating first, so per-device order holds while several requests
 *    run at once. An item whose `after_id` row is not at the province yet is passed over; the rest
 *    of its lane goes on.
 *  - A failed request backs its worker off exponentially with equal jitter, honouring Retry-After.
 *  - Per item: `duplicate` counts as delivered; a permanent refusal moves only that row to the
 *    dead letters, so a poison item blocks nothing but what must follow it.
 *  - Outcomes are group-committed (outcome-commit.ts): every answered batch of every worker in one
 *    transaction, while the workers go on. A crash before that commit only means a resend,
 *    answered `duplicate`.
 *  - A default (the one kind of item a later rating may replace) is marked `on_wire` in the store
 *    before the request that carries it leaves, so the enqueuer never drops one the province may
 *    already hold (enqueue.ts, issue 10 hole 2).
 */
import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../feature.js';
import { RepeatedFailure } from '../log/repeated-failure.js';
import type { GatewayStore } from '../store/database.js';
import type { BatchAnswer, ItemOutcome, ProvinceAdapter } from './adapter.js';
import { isUplinkItemShape, type AmendmentItem, type CorrectionItem, type RatingItem, type RectificationItem, type UplinkItem } from './items.js';
import { OutcomeCommit, type OutRow } from './outcome-commit.js';
import { fastPick, PICK_COLUMNS } from './pick-sqlite.js';
import { UPLINK_LANES } from './outbox.js';

export interface SenderOptions {
  batchSize?: number;
  concurrency?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** An item answered "retry" this many times is dead-lettered with the last reason. */
  maxItemAttempts?: number;
  /** Idle poll when nothing is pending. */
  idleMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  /** After items were dead-lettered (committed). */
  onDeadLettered?: (count: number) => void;
  /** After each request: did the province answer? */
  onRequest?: (answered: boolean, reason?: string) => void;
}

interface Submitted {
  /** By outbox row id; rows of a request that failed as a whole are absent. */
  outcomes: Map<number, ItemOutcome>;
  failure: { reason: string; retryAfterMs?: number } | null;
}

/**
 * At most one line this often while the outbox cannot be read (RepeatedFailure): each of a worker's
 * sending loops reads it every `idleMs` (1 s), so a database outage logged a line per loop per second.
 */
export const OUTBOX_READ_FAILURES_LOG_MS = 30_000;

/** How long a sending loop waits before reading the outbox again, when it found nothing or could not read it. */
export const SENDER_IDLE_MS = 1000;

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
  private readonly o: Required<Omit<SenderOptions, 'sleep' | 'random' | 'onDeadLettered' | 'onRequest'>>;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private abort = new AbortController();
  private workers: Promise<void>[] = [];
  /** Ends the idle workers' waits (idle()). */
  private readonly wake = new Set<() => void>();
  private readonly outcomes: OutcomeCommit;
  private fastPick: ReturnType<typeof fastPick> | undefined;
  /** Picks under way (OutcomeCommitOptions.picksInFlight). */
  private readonly picking = new Set<Promise<OutRow[]>>();
  /** Every loop's failed reads of the outbox, logged as one failure. */
  private readonly reads: RepeatedFailure;

  constructor(
    private readonly store: GatewayStore,
    private readonly adapter: ProvinceAdapter,
    private readonly log: Logger,
    clock: Clock,
    private readonly opts: SenderOptions = {},
  ) {
    this.o = {
      batchSize: opts.batchSize ?? 200,
      concurrency: Math.min(opts.concurrency ?? 4, UPLINK_LANES),
      baseBackoffMs: opts.baseBackoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 5 * 60_000,
      maxItemAttempts: opts.maxItemAttempts ?? 50,
      idleMs: opts.idleMs ?? SENDER_IDLE_MS,
    };
    this.reads = new RepeatedFailure(log, {
      msg: 'outbox read failed; the senders read it again',
      recovered: 'the outbox is read again',
      everyMs: OUTBOX_READ_FAILURES_LOG_MS,
      level: 'error',
    });
    this.sleep = opts.sleep ?? abortableSleep;
    this.random = opts.random ?? Math.random;
    this.outcomes = new OutcomeCommit(store, log, clock, {
      maxItemAttempts: this.o.maxItemAttempts,
      picksInFlight: () => Promise.allSettled([...this.picking]),
      ...(opts.onDeadLettered ? { onDeadLettered: opts.onDeadLettered } : {}),
    });
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
    await this.outcomes.settle();
  }

  /** New rows were enqueued: wake idle workers instead of waiting for the poll. */
  poke(): void {
    for (const end of [...this.wake]) end();
  }

  async pendingCount(): Promise<number> {
    const r = await this.store.db
      .selectFrom('uplink_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', sql.lit('pending'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private async run(lanes: number[]): Promise<void> {
    let failures = 0;
    let turn = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let rows: OutRow[] = [];
      let lane = 0;
      try {
        for (let k = 0; k < lanes.length && rows.length === 0; k++) {
          lane = lanes[(turn + k) % lanes.length]!;
          rows = await this.pick(lane);
        }
        turn++;
        if (rows.length > 0) rows = await this.claim(rows);
        this.reads.succeed();
      } catch (err) {
        this.reads.fail({ err });
        await this.sleep(this.o.idleMs, signal);
        continue;
      }
      if (rows.length === 0) {
        await this.idle(signal);
        continue;
      }
      const sent = await this.submit(rows);
      if (sent.outcomes.size > 0)
        this.outcomes.record(
          lane,
          rows.filter((r) => sent.outcomes.has(r.id)),
          sent.outcomes,
        );
      if (sent.failure) {
        if (signal.aborted) break;
        failures++;
        this.opts.onRequest?.(false, sent.failure.reason);
        const backoff = this.backoff(failures, sent.failure.retryAfterMs);
        this.log.warn({ reason: sent.failure.reason, failures, backoffMs: backoff, batch: rows.length }, 'province request failed; backing off');
        await this.sleep(backoff, signal);
        continue;
      }
      failures = 0;
      this.opts.onRequest?.(true);
      if ([...sent.outcomes.values()].some((o) => o.status === 'retryable')) await this.sleep(this.backoff(1), signal);
    }
  }

  /**
   * The lane's oldest pending rows whose predecessor (if any) is at the province, skipping rows
   * answered but not yet committed. A commit stops counting its rows as waiting only once the picks
   * under way have returned (`picking`): on PostgreSQL one begun before the commit could read them
   * as pending and, they no longer waiting, send them again (the province answered duplicate).
   */
  private async pick(lane: number): Promise<OutRow[]> {
    const picked = this.pickUnlessWaiting(lane);
    this.picking.add(picked);
    try {
      return await picked;
    } finally {
      this.picking.delete(picked);
    }
  }

  private async pickUnlessWaiting(lane: number): Promise<OutRow[]> {
    const waiting = this.outcomes.waitingIn(lane);
    if (this.store.sqlite) return this.pickFast(this.store.sqlite, lane, waiting);
    const rows = await this.pickQuery(lane, this.o.batchSize + waiting.size);
    return waiting.size > 0 ? rows.filter((r) => !waiting.has(r.id)).slice(0, this.o.batchSize) : rows;
  }

  /** pickQuery() on SQLite, prepared once, rows read as arrays, rows waiting left out by the query (pick-sqlite.ts). */
  private pickFast(db: Database.Database, lane: number, waiting: ReadonlySet<number>): Promise<OutRow[]> {
    const pick = (this.fastPick ??= fastPick(db));
    // Under Kysely's hold of the one connection, as the query would run: never inside another's transaction.
    return this.store.db.connection().execute(async () => pick(lane, this.o.batchSize, waiting));
  }

  private pickQuery(lane: number, limit: number): Promise<OutRow[]> {
    return (
      this.store.db
        .selectFrom('uplink_outbox as o')
        .select([...PICK_COLUMNS].map((c) => `o.${c}` as const))
        // A literal, not a parameter: only then may SQLite use the partial index of pending rows.
        .where('o.state', '=', sql.lit('pending'))
        .where('o.lane', '=', lane)
        .where((eb) =>
          eb.or([eb('o.after_id', 'is', null), eb.exists(eb.selectFrom('uplink_outbox as p').select('p.id').whereRef('p.id', '=', 'o.after_id').where('p.state', '=', 'sent'))]),
        )
        .orderBy('o.at')
        .orderBy('o.id')
        .limit(limit)
        .execute()
    );
  }

  /** Mark defaults `on_wire` before they leave; one the enqueuer dropped meanwhile stays home. */
  private async claim(rows: OutRow[]): Promise<OutRow[]> {
    const open = rows.filter((r) => r.replaceable === 1 && r.on_wire === 0);
    if (open.length === 0) return rows;
    const claimed = await this.store.write((trx) =>
      trx
        .updateTable('uplink_outbox')
        .set({ on_wire: 1 })
        .where(
          'id',
          'in',
          open.map((r) => r.id),
        )
        .where('state', '=', 'pending')
        .where('on_wire', '=', 0)
        .returning('id')
        .execute(),
    );
    const ok = new Set(claimed.map((c) => c.id));
    return rows.filter((r) => !(r.replaceable === 1 && r.on_wire === 0) || ok.has(r.id));
  }

  /** One call per kind of item in the batch, at once; answers keyed back to outbox rows. */
  private async submit(rows: OutRow[]): Promise<Submitted> {
    const outcomes = new Map<number, ItemOutcome>();
    const groups = {
      rating: [] as Array<[OutRow, RatingItem]>,
      correction: [] as Array<[OutRow, CorrectionItem]>,
      amendment: [] as Array<[OutRow, AmendmentItem]>,
      rectification: [] as Array<[OutRow, RectificationItem]>,
    };
    for (const r of rows) {
      // The outbox holds items the enqueuer built from typed ledger rows (items.ts), so a structural
      // check is enough here; a full schema parse of every item cost a fifth of the drain. What the
      // province receives is its adapter's mapping, which the province checks in turn.
      let item: UplinkItem;
      try {
        item = JSON.parse(r.payload) as UplinkItem;
        if (!isUplinkItemShape(item)) throw new Error('no kind or assessId');
      } catch (err) {
        outcomes.set(r.id, { status: 'rejected', reason: `not a valid uplink item: ${(err as Error).message.slice(0, 300)}` });
        continue;
      }
      if (item.kind === 'rating') groups.rating.push([r, item]);
      else if (item.kind === 'correction') groups.correction.push([r, item]);
      else if (item.kind === 'rectification') groups.rectification.push([r, item]);
      else groups.amendment.push([r, item]);
    }
    const calls: Array<Promise<{ rows: OutRow[]; answer: BatchAnswer }>> = [];
    const call = <T>(g: Array<[OutRow, T]>, send: (items: T[]) => Promise<BatchAnswer>) => {
      if (g.length === 0) return;
      calls.push(
        send(g.map(([, i]) => i))
          .catch((err: unknown): BatchAnswer => ({ kind: 'retryable', reason: `adapter failed: ${(err as Error).message}` }))
          .then((answer) => ({ rows: g.map(([r]) => r), answer })),
      );
    };
    call(groups.rating, (i) => this.adapter.submitRatings(i));
    call(groups.correction, (i) => this.adapter.submitCorrections(i));
    call(groups.amendment, (i) => this.adapter.submitAmendments(i));
    // Queued only for a province that takes them; one left from an adapter that did is refused for hall IT to see.
    const rectify = this.adapter.submitRectifications?.bind(this.adapter);
    if (rectify) call(groups.rectification, rectify);
    else for (const [r] of groups.rectification) outcomes.set(r.id, { status: 'rejected', reason: `the province adapter ${this.adapter.name} takes no rectification records` });
    let failed: string | null = null;
    let retryAfterMs = 0;
    for (const { rows: sentRows, answer } of await Promise.all(calls)) {
      if (answer.kind === 'retryable') {
        failed = answer.reason;
        retryAfterMs = Math.max(retryAfterMs, answer.retryAfterMs ?? 0);
        continue;
      }
      // A row the province did not answer for is retried, never assumed delivered.
      for (const r of sentRows) outcomes.set(r.id, answer.outcomes.get(r.assess_id) ?? { status: 'retryable', reason: 'no result for this item' });
    }
    return { outcomes, failure: failed === null ? null : { reason: failed, retryAfterMs } };
  }

  private backoff(failures: number, retryAfterMs?: number): number {
    const cap = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** Math.min(failures - 1, 30));
    const jittered = Math.floor(cap / 2 + this.random() * (cap / 2));
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, this.o.maxBackoffMs));
  }

  /**
   * Wait `idleMs`, or less if poked or stopped. A poke ends the wait itself, not only the promise:
   * a wait left running kept its timer and its abort listener until `idleMs` ran out, so with a
   * pump every few ms they piled up on the sender's signal (MaxListenersExceededWarning).
   */
  private idle(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = new AbortController();
      const end = () => {
        signal.removeEventListener('abort', end);
        this.wake.delete(end);
        wait.abort();
        resolve();
      };
      signal.addEventListener('abort', end, { once: true });
      this.wake.add(end);
      void this.sleep(this.o.idleMs, wait.signal).then(end, end);
    });
  }
}
