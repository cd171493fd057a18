/**
 * The append-only audit log of console actions: logins, logouts, refused logins, every change,
 * every opening of something sealed. The table refuses UPDATE and DELETE (core schema).
 */
import type { Clock } from '../feature.js';
import type { Db, GatewayStore } from '../store/database.js';

/** Who makes a change from the console, and from where: every change is recorded with both. */
export interface Actor {
  username: string;
  remote: string | null;
}

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null;
  detail?: Record<string, unknown> | null;
  remote?: string | null;
}

export class AuditLog {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
  ) {}

  /** Record an action; pass `db` to make it part of the change's own transaction. */
  async record(e: AuditEntry, db: Db = this.store.db): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        at: new Date(this.clock.now()).toISOString(),
        actor: e.actor,
        action: e.action,
        subject: e.subject ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
        remote: e.remote ?? null,
      })
      .execute();
  }

  async list(opts: { afterId?: number; limit?: number } = {}) {
    const rows = await this.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', opts.afterId ?? 0)
      .orderBy('id')
      .limit(opts.limit ?? 500)
      .execute();
    return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail ? JSON.parse(r.detail) : null, remote: r.remote }));
  }
}
