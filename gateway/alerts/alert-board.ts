/**
 * Alerts for hall IT and managers (R19: devices complete, reliable, secure). An alert is raised
 * for a kind and a subject (a device, a window, the hall); raising it again while it is live bumps
 * its count instead of adding a row. It is cleared when the condition ends, and acknowledged by a
 * person with a comment; an unacknowledged alert stays on the board even after it cleared.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';

export interface AlertView {
  id: number;
  kind: string;
  subject: string;
  detail: string;
  raisedAt: string;
  lastAt: string;
  count: number;
  clearedAt: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
  ackComment: string | null;
}

export class AlertBoard {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async raise(kind: string, subject: string, detail: string): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    const bumped = await this.store.db
      .updateTable('alerts')
      .set((eb) => ({ count: eb('count', '+', 1), last_at: now, detail }))
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .where('cleared_at', 'is', null)
      .executeTakeFirst();
    if (Number(bumped.numUpdatedRows) > 0) return;
    await this.store.db
      .insertInto('alerts')
      .values({ kind, subject, detail, raised_at: now, last_at: now, cleared_at: null, acked_at: null, acked_by: null, ack_comment: null })
      .onConflict((oc) =>
        oc
          .columns(['kind', 'subject'])
          .where('cleared_at', 'is', null)
          .doUpdateSet((eb) => ({ count: eb('alerts.count', '+', 1), last_at: now })),
      )
      .execute();
    this.logger.warn({ kind, subject }, detail);
  }

  /** The condition is over (the device came back, the store has room again). */
  async clear(kind: string, subject: string): Promise<void> {
    await this.store.db
      .updateTable('alerts')
      .set({ cleared_at: new Date(this.clock.now()).toISOString() })
      .where('kind', '=', kind)
      .where('subject', '=', subject)
      .where('cleared_at', 'is', null)
      .execute();
  }

  async acknowledge(id: number, by: string, comment: string): Promise<boolean> {
    const r = await this.store.db
      .updateTable('alerts')
      .set({ acked_at: new Date(this.clock.now()).toISOString(), acked_by: by, ack_comment: comment })
      .where('id', '=', id)
      .where('acked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Live or unacknowledged alerts, newest first; `all` adds the acknowledged and cleared ones. */
  async list(opts: { all?: boolean; limit?: number; subject?: string } = {}): Promise<AlertView[]> {
    let q = this.store.db
      .selectFrom('alerts')
      .selectAll()
      .orderBy('last_at', 'desc')
      .orderBy('id', 'desc')
      .limit(opts.limit ?? 200);
    if (!opts.all) q = q.where((eb) => eb.or([eb('cleared_at', 'is', null), eb('acked_at', 'is', null)]));
    if (opts.subject) q = q.where('subject', '=', opts.subject);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      subject: r.subject,
      detail: r.detail,
      raisedAt: r.raised_at,
      lastAt: r.last_at,
      count: r.count,
      clearedAt: r.cleared_at,
      ackedAt: r.acked_at,
      ackedBy: r.acked_by,
      ackComment: r.ack_comment,
    }));
  }

  async countLive(): Promise<number> {
    const r = await this.store.db.selectFrom('alerts').select(sql<number>`count(*)`.as('n')).where('cleared_at', 'is', null).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
