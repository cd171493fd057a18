/**
 * Items the province refused for good (or that no province could take), with the reason, for hall
 * IT to inspect and — once the cause is fixed (the item code registered at the province, a
 * channel code set in the profile) — send again. Items that must follow a dead one (its amendment,
 * a 追加评价 of its case) wait for it rather than being refused in turn; a retry lets them go too.
 *
 *   GET  /api/uplink/dead-letters?limit&offset   hall IT
 *   POST /api/uplink/dead-letters/:id/retry       hall IT; audited
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeZodError } from '@hcp/contract';
import type { AuditLog } from '../audit/audit-log.js';
import type { GatewayStore } from '../store/database.js';

export interface DeadLetter {
  id: number;
  itemKey: string;
  kind: string;
  assessId: string;
  reason: string;
  deadAt: string;
  attempts: number;
  /** The province-neutral item as queued (items.ts); it carries no rater identity or contact. */
  item: unknown;
}

export class DeadLetters {
  constructor(private readonly store: GatewayStore) {}

  async list(limit = 100, offset = 0): Promise<DeadLetter[]> {
    const rows = await this.store.db
      .selectFrom('uplink_dead_letters as d')
      .innerJoin('uplink_outbox as o', 'o.id', 'd.outbox_id')
      .select(['d.id', 'd.item_key', 'o.kind', 'o.assess_id', 'd.reason', 'd.dead_at', 'o.attempts', 'o.payload'])
      .orderBy('d.id')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      itemKey: r.item_key,
      kind: r.kind,
      assessId: r.assess_id,
      reason: r.reason,
      deadAt: r.dead_at,
      attempts: r.attempts,
      item: JSON.parse(r.payload) as unknown,
    }));
  }

  async count(): Promise<number> {
    const r = await this.store.db
      .selectFrom('uplink_dead_letters')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Put one dead letter back in the outbox; its item key, or null if there is no such dead letter. */
  retry(id: number): Promise<string | null> {
    return this.store.write(async (trx) => {
      const d = await trx.selectFrom('uplink_dead_letters').select(['outbox_id', 'item_key']).where('id', '=', id).executeTakeFirst();
      if (!d) return null;
      await trx.updateTable('uplink_outbox').set({ state: 'pending', attempts: 0 }).where('id', '=', d.outbox_id).where('state', '=', 'dead').execute();
      await trx.deleteFrom('uplink_dead_letters').where('id', '=', id).execute();
      return d.item_key;
    });
  }
}

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const IdParams = z.object({ id: z.coerce.number().int().min(1, 'id must be a positive integer') });

export interface DeadLetterRouteOptions {
  /** Who may see and retry (the feature passes `auth.require('hall-it')`). */
  preHandler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  audit: AuditLog;
  /** A dead letter went back to the outbox: wake the sender. */
  onRetry: () => void;
}

export function deadLetterRoutes(deadLetters: DeadLetters, o: DeadLetterRouteOptions): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/uplink/dead-letters', { preHandler: o.preHandler }, async (req, reply) => {
      const q = ListQuery.safeParse(req.query);
      if (!q.success) return reply.code(400).send({ error: 'bad-query', message: describeZodError(q.error) });
      return { total: await deadLetters.count(), deadLetters: await deadLetters.list(q.data.limit, q.data.offset) };
    });
    app.post('/api/uplink/dead-letters/:id/retry', { preHandler: o.preHandler }, async (req, reply) => {
      const p = IdParams.safeParse(req.params);
      if (!p.success) return reply.code(400).send({ error: 'bad-id', message: describeZodError(p.error) });
      const itemKey = await deadLetters.retry(p.data.id);
      if (!itemKey) return reply.code(404).send({ error: 'not-found', message: `no dead letter ${p.data.id}` });
      await o.audit.record({ actor: req.user?.username ?? 'unknown', action: 'uplink-dead-letter-retry', subject: itemKey, remote: req.ip });
      o.onRetry();
      return { retried: p.data.id };
    });
  };
}
