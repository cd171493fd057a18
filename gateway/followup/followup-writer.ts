/**
 * How every step changes a follow-up: in one transaction, read it, check who and what comes next,
 * update the projection (`followups`) only if nobody changed it meanwhile — a compare on the fields
 * the steps decide by, so two workers or two browser tabs cannot both take a step — and append the
 * step's events (and its audit entry). After the commit: the uplink is told (a province keeps the
 * record too) and alerts are raised or cleared (the alert board writes outside the transaction).
 */
import type { Updateable } from 'kysely';
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import type { Clock, GatewayEventBus } from '../feature.js';
import type { GatewayStore, Tx } from '../store/database.js';
import type { FollowupsTable } from '../store/tables.js';
import { FollowupError } from './followup-error.js';
import { appendEvent, type NewEvent } from './followup-events.js';
import type { Followup } from './followup-progress.js';

export interface Change {
  /** The projection's new values; absent for a step that only adds an event (a note, a failed call). */
  set?: Updateable<FollowupsTable>;
  events: Array<Omit<NewEvent, 'followupId' | 'at' | 'actor'> & { actor?: string }>;
  audit?: Omit<AuditEntry, 'actor'> & { actor?: string };
  /** Work after the commit (alerts). */
  after?: () => Promise<void>;
}

export interface Writer {
  /** The current time, as the gateway's clock says. */
  now(): string;
  load(db: Tx | GatewayStore['db'], id: string): Promise<Followup>;
  /** Run a step for `actor` on follow-up `id`. Answers what `decide` answered besides the change. */
  change<T = void>(id: string, actor: string, decide: (trx: Tx, f: Followup, now: string) => Promise<Change & { answer?: T }>): Promise<T>;
}

export function followupWriter(p: { store: GatewayStore; clock: Clock; audit: AuditLog; events: GatewayEventBus }): Writer {
  const now = () => new Date(p.clock.now()).toISOString();
  const load = async (db: Tx | GatewayStore['db'], id: string): Promise<Followup> => {
    const f = await db.selectFrom('followups').selectAll().where('followup_id', '=', id).executeTakeFirst();
    if (!f) throw new FollowupError('not-found', `no follow-up ${id}`);
    return f;
  };
  return {
    now,
    load,
    async change(id, actor, decide) {
      const at = now();
      const { after, answer } = await p.store.write(async (trx) => {
        const f = await load(trx, id);
        const c = await decide(trx, f, at);
        if (c.set) {
          let q = trx.updateTable('followups').set(c.set).where('followup_id', '=', id).where('state', '=', f.state).where('step', '=', f.step);
          q = f.handler === null ? q.where('handler', 'is', null) : q.where('handler', '=', f.handler);
          q = f.resolution === null ? q.where('resolution', 'is', null) : q.where('resolution', '=', f.resolution);
          q = f.rectified_at === null ? q.where('rectified_at', 'is', null) : q.where('rectified_at', '=', f.rectified_at);
          q = q.where('extended_days', '=', f.extended_days).where('reopened_count', '=', f.reopened_count);
          const r = await q.executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) throw new FollowupError('conflict', `follow-up ${id} was changed meanwhile: read it again and retry`);
        }
        for (const e of c.events) await appendEvent(trx, { followupId: id, at, ...e, actor: e.actor ?? actor });
        if (c.audit) await p.audit.record({ ...c.audit, actor: c.audit.actor ?? actor }, trx);
        return { after: c.after, answer: c.answer };
      });
      p.events.emit('followups-changed', { by: 'followup' });
      await after?.();
      return answer as never;
    },
  };
}
