/**
 * Live updates for consoles (Server-Sent Events). One poller per gateway process reads the ledger's
 * change log and the alerts board every `everyMs` and fans what is new out to the connected
 * consoles, each filtered to what its user may see. Reading the database — not in-process events —
 * is deliberate: a console connected to one gateway worker sees ratings that another worker
 * ingested (issue 14). A 差评 reaches a console well within the 2 s the console promises.
 */
import type { Logger } from 'pino';
import { RepeatedFailure } from '../log/repeated-failure.js';
import type { AlertBoard, AlertView } from '../alerts/alert-board.js';
import type { Db } from '../store/database.js';
import { lastLogSeq, liveFeed, type FeedItem } from './live-queries.js';

export interface LiveSubscriber {
  /** null: the whole hall; else the departments this console may see. */
  departments: string[] | null;
  /** May see device and security alerts (hall IT, managers, supervisors). */
  alerts: boolean;
  /** Ratings up to this log position are not sent (it opened after them, or resumes past them). */
  afterSeq: number;
  send(event: 'rating' | 'alert', data: FeedItem | AlertView): void;
  /** End the stream (the gateway stops; the console's EventSource reconnects to the next one). */
  close(): void;
}

/** At most one line this often while polls fail (RepeatedFailure). */
export const LIVE_FAILURES_LOG_MS = 30_000;

export class LiveHub {
  private readonly subscribers = new Set<LiveSubscriber>();
  private timer: NodeJS.Timeout | null = null;
  private lastSeq = 0;
  private lastAlertAt = '';
  private polling = false;
  /** Polls that failed: while the database is gone, every 300 ms while a console listens. */
  private readonly polls: RepeatedFailure;

  constructor(
    private readonly db: Db,
    private readonly alerts: AlertBoard,
    logger: Logger,
    /** The gateway's clock: alert times are stamped with it. */
    private readonly now: () => number,
    private readonly everyMs = 300,
  ) {
    this.polls = new RepeatedFailure(logger, { msg: 'live poll failed; next tick retries', recovered: 'live polls work again', everyMs: LIVE_FAILURES_LOG_MS });
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.lastSeq = await lastLogSeq(this.db);
    this.lastAlertAt = new Date(this.now()).toISOString();
    this.timer = setInterval(() => void this.poll(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.subscribers) s.close();
    this.subscribers.clear();
  }

  subscribe(s: LiveSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.subscribers.size === 0) {
      // Nobody listens: skip ahead, so a console that connects later is not sent the backlog.
      if (!this.polling && this.subscribers.size === 0) this.lastSeq = await lastLogSeq(this.db).catch(() => this.lastSeq);
      return;
    }
    this.polling = true;
    try {
      // A console that reconnected with Last-Event-ID is sent what it missed (its own scope, at most
      // 500 changes: past that it reloads the page's figures anyway).
      for (const s of this.subscribers) {
        if (s.afterSeq >= this.lastSeq) continue;
        for (const item of await liveFeed(this.db, s.afterSeq, 500, s.departments)) if (item.seq <= this.lastSeq) s.send('rating', item);
        s.afterSeq = this.lastSeq;
      }
      for (;;) {
        const items = await liveFeed(this.db, this.lastSeq, 500, null);
        for (const item of items) {
          this.lastSeq = item.seq;
          for (const s of this.subscribers) {
            if (item.seq <= s.afterSeq) continue;
            if (s.departments === null || (item.departmentId !== null && s.departments.includes(item.departmentId))) s.send('rating', item);
          }
        }
        if (items.length < 500) break;
      }
      const changed = (await this.alerts.list({ all: true, limit: 50 })).filter(
        (a) => a.lastAt > this.lastAlertAt || (a.ackedAt ?? '') > this.lastAlertAt || (a.clearedAt ?? '') > this.lastAlertAt,
      );
      for (const a of changed.reverse()) {
        this.lastAlertAt = [this.lastAlertAt, a.lastAt, a.ackedAt ?? '', a.clearedAt ?? ''].sort().at(-1)!;
        for (const s of this.subscribers) if (s.alerts) s.send('alert', a);
      }
      this.polls.succeed();
    } catch (err) {
      this.polls.fail({ err });
    } finally {
      this.polling = false;
    }
  }
}
