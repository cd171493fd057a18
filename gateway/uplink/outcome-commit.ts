/**
 * The sender's group commit (sender.ts): the outcomes of every worker's answered batches are
 * written in one transaction — one fsync under synchronous=FULL instead of one per batch — while
 * the workers go on sending. Until that commit, the rows stay "answered" here so no worker picks
 * them again; if it fails they are sent again and the province answers duplicate.
 *
 * Per row: accepted/duplicate → sent; rejected → dead letter; retryable → one more attempt, or a
 * dead letter after `maxItemAttempts`. A row whose revision changed while it was on its way (its
 * details were folded in, enqueue.ts) is sent as it was, and an amendment follows with the details.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../feature.js';
import type { GatewayStore, Tx } from '../store/database.js';
import type { ItemOutcome } from './adapter.js';
import { UplinkItemSchema } from './items.js';
import { queueAmendment } from './outbox.js';

/** An outbox row as the sender picked it. */
export interface OutRow {
  id: number;
  item_key: string;
  assess_id: string;
  payload: string;
  attempts: number;
  revision: number;
  replaceable: number;
  on_wire: number;
}

export interface OutcomeCommitOptions {
  maxItemAttempts: number;
  /** After items were dead-lettered (committed). */
  onDeadLettered?: (count: number) => void;
  /**
   * Settles when the picks running now have their rows. A pick that began before a commit may
   * read the rows it marked as still pending (PostgreSQL runs it on another connection); until
   * it returns, those rows must still count as waiting, or they are sent again.
   */
  picksInFlight?: () => Promise<unknown>;
}

interface Mark {
  lane: number;
  rows: OutRow[];
  outcomes: Map<number, ItemOutcome>;
}

const ID_SLICE = 500;
/** How long answers gather before their commit (flushAll). A crash in it costs resends, answered duplicate. */
const GATHER_MS = 50;
const NONE: ReadonlySet<number> = new Set();

/**
 * SQLite's fast path for the rows the province took (the bulk of every commit): the ids as one JSON
 * array, so the statement is prepared once. Built by Kysely instead, each slice of 500 ids was a new
 * 500-parameter query to build and compile, and Kysely was a tenth of the drain (bench:uplink profile).
 */
const SENT_SQL = `UPDATE uplink_outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL
  WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending' AND revision = ?`;

export class OutcomeCommit {
  private marks: Mark[] = [];
  private flushing: Promise<void> | null = null;
  /** Rows answered but not yet committed, by lane. */
  private readonly waiting = new Map<number, Set<number>>();
  private sentStatement: Database.Statement | null | undefined;

  constructor(
    private readonly store: GatewayStore,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly o: OutcomeCommitOptions,
  ) {}

  /** Rows of the lane answered but not yet committed (they sit at the head of their lane). */
  waitingIn(lane: number): ReadonlySet<number> {
    return this.waiting.get(lane) ?? NONE;
  }

  /** Outcomes of rows of `lane` (keyed by row id); committed soon, with others'. */
  record(lane: number, rows: OutRow[], outcomes: Map<number, ItemOutcome>): void {
    let ids = this.waiting.get(lane);
    if (!ids) this.waiting.set(lane, (ids = new Set()));
    for (const r of rows) ids.add(r.id);
    this.marks.push({ lane, rows, outcomes });
    this.kick();
  }

  /** Resolves when everything recorded so far is committed (or given up). */
  async settle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flushAll().finally(() => {
      this.flushing = null;
      if (this.marks.length > 0) this.kick();
    });
  }

  private async flushAll(): Promise<void> {
    // Let the other workers' answers of the next few requests join the same commit. Each row
    // marked sent rewrites its page, and a lane's rows are spread across the outbox's pages
    // (lanes interleave by device): a commit of every lane's next rows rewrites each page once,
    // one of a single turn's three or four batches rewrote the same pages again on the next
    // turn. Waiting GATHER_MS instead of a turn of the event loop cut SQLite's share of the
    // drain (bench:uplink's profile: commits and marks 1.07 s → 0.63 s of 50,000 ratings).
    await new Promise((r) => setTimeout(r, GATHER_MS));
    while (this.marks.length > 0) await this.commit(this.marks.splice(0));
  }

  private async commit(marks: Mark[]): Promise<void> {
    const at = new Date(this.clock.now()).toISOString();
    let dead = 0;
    try {
      await this.store.write(async (trx) => {
        const sent = new Map<number, number[]>();
        // Duplicates of rows whose details were folded in (revision > 0): the province's copy may be
        // an earlier send whose answer was lost, made before the fold.
        const staleCopies: number[] = [];
        for (const { rows, outcomes } of marks) {
          for (const r of rows) {
            const out = outcomes.get(r.id)!;
            if (out.status === 'accepted' || out.status === 'duplicate') {
              const same = sent.get(r.revision);
              if (same) same.push(r.id);
              else sent.set(r.revision, [r.id]);
              if (out.status === 'duplicate' && r.revision > 0) staleCopies.push(r.id);
            } else if (out.status === 'rejected') {
              dead += await this.toDead(trx, r, out.reason, at);
            } else if (r.attempts + 1 >= this.o.maxItemAttempts) {
              dead += await this.toDead(trx, r, `retried ${r.attempts + 1} times; last: ${out.reason}`, at);
            } else {
              await trx
                .updateTable('uplink_outbox')
                .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: out.reason.slice(0, 500) }))
                .where('id', '=', r.id)
                .where('state', '=', 'pending')
                .execute();
            }
          }
        }
        for (const [revision, ids] of sent) {
          for (let i = 0; i < ids.length; i += ID_SLICE) {
            const slice = ids.slice(i, i + ID_SLICE);
            if ((await this.markSent(trx, slice, revision, at)) < slice.length) await this.revisedOnTheWay(trx, slice, at);
          }
        }
        if (staleCopies.length > 0) await this.amendStaleCopies(trx, staleCopies, at);
      });
      if (dead > 0) this.o.onDeadLettered?.(dead);
    } catch (err) {
      this.log.error({ err }, 'outcomes not recorded; those items will be sent again (the province answers duplicate)');
    } finally {
      await this.o.picksInFlight?.();
      for (const m of marks) {
        const ids = this.waiting.get(m.lane);
        for (const r of m.rows) ids?.delete(r.id);
      }
    }
  }

  /** Rows of `ids` still pending at `revision` become sent; answers how many did. */
  private async markSent(trx: Tx, ids: number[], revision: number, at: string): Promise<number> {
    // Inside the write transaction, which holds the one SQLite connection (GatewayStore.sqlite).
    this.sentStatement ??= this.store.sqlite?.prepare(SENT_SQL) ?? null;
    if (this.sentStatement) return this.sentStatement.run(at, JSON.stringify(ids), revision).changes;
    const done = await trx
      .updateTable('uplink_outbox')
      .set((eb) => ({ state: 'sent', sent_at: at, attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', 'in', ids)
      .where('state', '=', 'pending')
      .where('revision', '=', revision)
      .executeTakeFirst();
    return Number(done.numUpdatedRows);
  }

  /** Rows the province took while details were being folded into them: sent, and their details follow as an amendment. */
  private async revisedOnTheWay(trx: Tx, ids: number[], at: string): Promise<void> {
    const revised = await trx.selectFrom('uplink_outbox').select(['id', 'case_no', 'order_key', 'at', 'payload']).where('id', 'in', ids).where('state', '=', 'pending').execute();
    for (const row of revised) {
      await trx
        .updateTable('uplink_outbox')
        .set((eb) => ({ state: 'sent', sent_at: at, attempts: eb('attempts', '+', 1), last_error: null }))
        .where('id', '=', row.id)
        .execute();
      const item = UplinkItemSchema.safeParse(JSON.parse(row.payload));
      if (item.success) await queueAmendment(trx, row, item.data, at);
      this.log.info({ outboxId: row.id }, 'details came while their rating was on its way: they follow as an amendment');
    }
  }

  /**
   * The province answered duplicate to a rating that carries details folded in after an earlier send
   * (timeout after commit, a gateway killed mid-request): what it holds is that earlier copy, without
   * them. The details follow as an amendment — once; the province applies the same values again
   * harmlessly if its copy had them after all.
   */
  private async amendStaleCopies(trx: Tx, ids: number[], at: string): Promise<void> {
    const rows = await trx.selectFrom('uplink_outbox').select(['id', 'case_no', 'order_key', 'at', 'payload']).where('id', 'in', ids).where('state', '=', 'sent').execute();
    for (const row of rows) {
      const item = UplinkItemSchema.safeParse(JSON.parse(row.payload));
      if (!item.success || (item.data.kind !== 'rating' && item.data.kind !== 'correction')) continue;
      await queueAmendment(trx, row, item.data, at);
      this.log.info({ outboxId: row.id }, 'the province already held this rating from a send whose answer was lost: its details follow as an amendment');
    }
  }

  private async toDead(trx: Tx, r: OutRow, reason: string, at: string): Promise<number> {
    const moved = await trx
      .updateTable('uplink_outbox')
      .set((eb) => ({ state: 'dead', attempts: eb('attempts', '+', 1), last_error: reason.slice(0, 500) }))
      .where('id', '=', r.id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return 0;
    await trx
      .insertInto('uplink_dead_letters')
      .values({ outbox_id: r.id, item_key: r.item_key, reason, dead_at: at })
      .onConflict((oc) => oc.column('outbox_id').doUpdateSet({ reason, dead_at: at }))
      .execute();
    this.log.warn({ outboxId: r.id, reason }, 'item dead-lettered');
    return 1;
  }
}
