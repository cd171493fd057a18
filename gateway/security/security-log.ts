/**
 * Refused connections, publishes and logins, recorded so that a flood is a flood (issue 10, hole
 * 15): unauthenticated traffic must not fill the disk or the log. Events with the same kind,
 * client id, remote address and sort of detail (its text before the first colon) within a window
 * are one row whose count grows; the first of each is logged at once, the rest as one summary
 * line per window. Past `maxKeysPerWindow` distinct
 * keys in one window (a scan from many addresses), the rest fold into one row per kind.
 */
import type { Logger } from 'pino';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';

export interface SecurityEvent {
  kind: string;
  clientId: string | null;
  remote: string | null;
  detail: string;
}

interface Pending extends SecurityEvent {
  count: number;
  firstAt: string;
  lastAt: string;
  /** The row this key already has in this window, once written. */
  rowId: number | null;
  /** The count that row holds. */
  written: number;
}

export interface SecurityLogOptions {
  windowMs?: number;
  maxKeysPerWindow?: number;
}

export class SecurityLog {
  private pending = new Map<string, Pending>();
  private windowStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    o: SecurityLogOptions = {},
  ) {
    this.windowMs = o.windowMs ?? 60_000;
    this.maxKeys = o.maxKeysPerWindow ?? 200;
  }

  start(): void {
    if (this.timer) return;
    this.windowStart = this.clock.now();
    this.timer = setInterval(() => void this.flush(), Math.min(this.windowMs, 5000));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  record(e: SecurityEvent): void {
    const now = this.clock.now();
    if (now - this.windowStart >= this.windowMs) this.rollWindow(now);
    let key = `${e.kind}|${e.clientId ?? ''}|${e.remote ?? ''}|${e.detail.split(':')[0]!.slice(0, 80)}`;
    if (!this.pending.has(key) && this.pending.size >= this.maxKeys) {
      key = `${e.kind}|*|*`;
      e = { kind: e.kind, clientId: null, remote: null, detail: `many sources at once (over ${this.maxKeys} in one window); last: ${e.detail}` };
    }
    const at = new Date(now).toISOString();
    const p = this.pending.get(key);
    if (p) {
      p.count += 1;
      p.lastAt = at;
      return;
    }
    this.pending.set(key, { ...e, count: 1, firstAt: at, lastAt: at, rowId: null, written: 0 });
    this.logger.warn({ kind: e.kind, clientId: e.clientId, remote: e.remote }, e.detail);
    // The first of a kind is on disk promptly; repeats are counted in memory until the flush.
    void this.flush();
  }

  /** Write what is pending (new rows, grown counts). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending()).catch((err) => this.logger.error({ err }, 'security events not recorded'));
    return this.flushing;
  }

  private rollWindow(now: number): void {
    for (const p of this.pending.values()) {
      if (p.count > 1)
        this.logger.warn(
          { kind: p.kind, clientId: p.clientId, remote: p.remote, count: p.count },
          `${p.detail} (repeated ${p.count} times in ${Math.round(this.windowMs / 1000)} s)`,
        );
    }
    const closing = [...this.pending.values()];
    this.pending = new Map();
    this.windowStart = now;
    this.flushing = this.flushing.then(() => this.writeRows(closing)).catch((err) => this.logger.error({ err }, 'security events not recorded'));
  }

  private writePending(): Promise<void> {
    return this.writeRows([...this.pending.values()]);
  }

  private async writeRows(rows: Pending[]): Promise<void> {
    const dirty = rows.filter((p) => p.count !== p.written);
    if (dirty.length === 0) return;
    // What is written is taken now and marked written only after the commit: a repeat counted
    // while the write is in flight stays dirty for the next flush, and a transaction that runs
    // again (a serialization failure on PostgreSQL) or rolls back leaves no row id behind.
    const taken = dirty.map((p) => ({ p, count: p.count, lastAt: p.lastAt }));
    const ids = await this.store.write(async (trx) => {
      const inserted: Array<number | null> = [];
      for (const { p, count, lastAt } of taken) {
        if (p.rowId === null) {
          const r = await trx
            .insertInto('security_events')
            .values({ kind: p.kind, client_id: p.clientId, remote: p.remote, detail: p.detail, count, first_at: p.firstAt, last_at: lastAt })
            .returning('id')
            .executeTakeFirstOrThrow();
          inserted.push(r.id);
        } else {
          await trx.updateTable('security_events').set({ count, last_at: lastAt }).where('id', '=', p.rowId).execute();
          inserted.push(null);
        }
      }
      return inserted;
    });
    taken.forEach(({ p, count }, i) => {
      p.rowId = ids[i] ?? p.rowId;
      p.written = count;
    });
  }

  async list(limit = 200) {
    await this.flush();
    const rows = await this.store.db.selectFrom('security_events').selectAll().orderBy('last_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ kind: r.kind, clientId: r.client_id, remote: r.remote, detail: r.detail, count: r.count, firstAt: r.first_at, lastAt: r.last_at }));
  }
}
