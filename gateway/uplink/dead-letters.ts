/**
 * Records the province refused for good, with its reason, for hall IT to inspect and — after the
 * cause is fixed (e.g. the item code registered at the province) — send again.
 */
import type Database from 'better-sqlite3';
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';

export interface DeadLetter {
  id: number;
  assessId: string;
  reason: string;
  deadAt: string;
  attempts: number;
  /** The national payload as sent (it carries no rater identity). */
  payload: unknown;
}

export class DeadLetters {
  constructor(private readonly db: Database.Database) {}

  list(limit = 100, offset = 0): DeadLetter[] {
    const rows = this.db
      .prepare('SELECT d.id, d.assess_id, d.reason, d.dead_at, o.attempts, o.payload FROM uplink_dead_letters d JOIN uplink_outbox o ON o.id = d.outbox_id ORDER BY d.id LIMIT ? OFFSET ?')
      .all(limit, offset) as Array<{ id: number; assess_id: string; reason: string; dead_at: string; attempts: number; payload: string }>;
    return rows.map((r) => ({ id: r.id, assessId: r.assess_id, reason: r.reason, deadAt: r.dead_at, attempts: r.attempts, payload: JSON.parse(r.payload) }));
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM uplink_dead_letters').pluck().get() as number;
  }

  /** Put one dead letter back in the outbox. Returns false if there is no such dead letter. */
  retry(id: number): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT outbox_id FROM uplink_dead_letters WHERE id = ?').get(id) as { outbox_id: number } | undefined;
      if (!row) return false;
      this.db.prepare("UPDATE uplink_outbox SET state = 'pending', attempts = 0 WHERE id = ? AND state = 'dead'").run(row.outbox_id);
      this.db.prepare('DELETE FROM uplink_dead_letters WHERE id = ?').run(id);
      return true;
    }).immediate();
  }
}

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const IdParams = z.object({ id: z.coerce.number().int().min(1, 'id must be a positive integer') });

/**
 * GET /api/uplink/dead-letters, POST /api/uplink/dead-letters/:id/retry; auth from the caller.
 * Takes a getter as well, because the gateway registers plugins before its features exist.
 */
export function deadLetterPlugin(source: DeadLetters | (() => DeadLetters | undefined), opts: { preHandler: preHandlerHookHandler; onRetry?: () => void }): FastifyPluginAsync {
  const get = (): DeadLetters => {
    const d = typeof source === 'function' ? source() : source;
    if (!d) throw Object.assign(new Error('the uplink is still starting; retry shortly'), { statusCode: 503 });
    return d;
  };
  return async (app) => {
    app.get('/api/uplink/dead-letters', { preHandler: opts.preHandler }, async (req, reply) => {
      const q = ListQuery.safeParse(req.query);
      if (!q.success) return reply.code(400).send({ error: 'bad-query', message: q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return { total: get().count(), deadLetters: get().list(q.data.limit, q.data.offset) };
    });
    app.post('/api/uplink/dead-letters/:id/retry', { preHandler: opts.preHandler }, async (req, reply) => {
      const p = IdParams.safeParse(req.params);
      if (!p.success) return reply.code(400).send({ error: 'bad-id', message: p.error.issues.map((i) => i.message).join('; ') });
      if (!get().retry(p.data.id)) return reply.code(404).send({ error: 'not-found', message: `no dead letter ${p.data.id}` });
      opts.onRetry?.();
      return { retried: p.data.id };
    });
  };
}
