/**
 * The follow-up's clockwork, on the gateway's clock (tests and drills move it): every `everyMs`
 *  - reminders: `remindBeforeHours` before a rectification is due, once per deadline — a `reminder`
 *    event and a `followup-due-soon` alert (the department's list shows it due soon);
 *  - escalation: a rectification still not recorded at the end of its due day goes up one
 *    department (level 1), then one more every `escalation.everyWorkingDays` (RULES.md R13: the
 *    clock is visible, and the superior department sees what is late) — an `escalated` event and a
 *    `followup-overdue` alert naming where it went; the parent department's head sees it in scope;
 *  - purge: a closed follow-up `contact.retentionDays` after closing has its number's opening key
 *    emptied (contact-escrow.ts), a `contact-purged` event;
 *  - the hall contact keys: epochs past their grace destroyed (contact-key.ts), and devices given
 *    the new key when an epoch begins;
 *  - due days the calendar could not give before (a year added to the override file since).
 * Each change is a compare-and-set on the row (`reminded_due_at`, `escalation_level`,
 * `contact_purged_at`), so a restart or a second worker never repeats one.
 */
import type { Logger } from 'pino';
import type { AlertBoard } from '../alerts/alert-board.js';
import { CalendarYearMissingError } from '../calendar/working-days.js';
import type { ContactKeyRing } from '../contact-key.js';
import type { Clock, DeviceChannel, GatewayEventBus } from '../feature.js';
import type { Registry } from '../registry/registry.js';
import type { GatewayStore, Tx } from '../store/database.js';
import { emptyWal } from '../store/wal-checkpointer.js';
import type { ContactEscrow } from './contact-escrow.js';
import type { FollowupConfig } from './followup-config.js';
import type { FollowupDeadlines } from './followup-deadlines.js';
import { appendEvent, SYSTEM } from './followup-events.js';
import { alertSubject, DUE_SOON_ALERT, OVERDUE_ALERT } from './followup-steps.js';
import { escalatedTo } from './followup-views.js';
import { leasesOf } from '../workers/job-lease.js';

export interface SchedulerParts {
  store: GatewayStore;
  clock: Clock;
  logger: Logger;
  alerts: AlertBoard;
  events: GatewayEventBus;
  deadlines: FollowupDeadlines;
  escrow: ContactEscrow;
  ring: ContactKeyRing;
  registry: Registry;
  devices: DeviceChannel;
  config: FollowupConfig;
  /** Run before each tick (the feature opens the follow-ups of 差评 not opened yet). */
  beforeTick?: () => Promise<void>;
}

export interface TickResult {
  reminded: number;
  escalated: number;
  purged: number;
  keysDestroyed: string[];
}

type Raise = { kind: string; subject: string; detail: string };

export class FollowupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TickResult> | null = null;
  private sealingKey = '';

  constructor(private readonly p: SchedulerParts) {}

  async start(): Promise<void> {
    if (this.timer) return;
    this.sealingKey = this.p.ring.current().keyId;
    this.timer = setInterval(() => void this.tickSafely(), this.p.config.everyMs);
    this.timer.unref();
    await this.tickSafely();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One run (one at a time). */
  tick(): Promise<TickResult> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<TickResult> {
    await this.p.beforeTick?.();
    const keysDestroyed = this.p.ring.ratchet();
    if (keysDestroyed.length)
      this.p.logger.info({ keysDestroyed }, 'hall contact keys past their grace destroyed: what they sealed is unreadable unless a follow-up still holds its own key');
    await this.newEpoch();
    const raise: Raise[] = [];
    const clear: Raise[] = [];
    const now = this.p.clock.now();
    const nowIso = new Date(now).toISOString();
    const counts = await this.p.store.write(async (trx) => {
      await this.fillDueDates(trx);
      const reminded = await this.remind(trx, now, nowIso, raise);
      const escalated = await this.escalate(trx, nowIso, raise, clear);
      const purged = await this.purge(trx, now, nowIso);
      return { reminded, escalated, purged };
    });
    for (const a of clear) await this.p.alerts.clear(a.kind, a.subject);
    for (const a of raise) await this.p.alerts.raise(a.kind, a.subject, a.detail);
    // A purged key's old page may sit in the WAL until a checkpoint: take one now (SQLite; on PostgreSQL, VACUUM is the site's).
    if (counts.purged > 0 && this.p.store.dialect === 'sqlite' && !(await emptyWal(this.p.store.db)))
      this.p.logger.warn('a purged key may stay in the WAL until its next checkpoint: the WAL could not be emptied now');
    if (counts.reminded + counts.escalated + counts.purged > 0) this.p.events.emit('followups-changed', { by: 'followup' });
    return { ...counts, keysDestroyed };
  }

  /** An epoch began: devices seal to the new key from now on (those offline get it when they connect). */
  private async newEpoch(): Promise<void> {
    const key = this.p.ring.current().keyId;
    if (key === this.sealingKey) return;
    this.sealingKey = key;
    for (const deviceId of await this.p.registry.deviceIds(null)) {
      const config = await this.p.registry.configFor(deviceId);
      if (config) await this.p.devices.send(deviceId, 'config', config).catch(() => undefined);
    }
    this.p.logger.info({ keyId: key }, 'a new contact key epoch: devices told');
  }

  private async fillDueDates(trx: Tx): Promise<void> {
    for (const f of await trx.selectFrom('followups').select(['followup_id', 'opened_at']).where('state', '=', 'open').where('due_date', 'is', null).execute()) {
      try {
        const due = this.p.deadlines.onOpening(f.opened_at);
        await trx
          .updateTable('followups')
          .set({ due_date: due, due_at: this.p.deadlines.endOf(due) })
          .where('followup_id', '=', f.followup_id)
          .where('due_date', 'is', null)
          .execute();
      } catch (err) {
        if (!(err instanceof CalendarYearMissingError)) throw err;
      }
    }
  }

  private async remind(trx: Tx, now: number, nowIso: string, raise: Raise[]): Promise<number> {
    const lead = new Date(now + this.p.config.remindBeforeHours * 3600_000).toISOString();
    const due = await trx
      .selectFrom('followups')
      .select(['followup_id', 'due_at', 'due_date', 'department_id', 'handler'])
      .where('state', '=', 'open')
      .where('rectified_at', 'is', null)
      .where('due_at', '>', nowIso)
      .where('due_at', '<=', lead)
      .where((eb) => eb.or([eb('reminded_due_at', 'is', null), eb('reminded_due_at', '!=', eb.ref('due_at'))]))
      .execute();
    let n = 0;
    for (const f of due) {
      const won = await trx
        .updateTable('followups')
        .set({ reminded_due_at: f.due_at })
        .where('followup_id', '=', f.followup_id)
        .where('due_at', '=', f.due_at)
        .where((eb) => eb.or([eb('reminded_due_at', 'is', null), eb('reminded_due_at', '!=', f.due_at)]))
        .executeTakeFirst();
      if (Number(won.numUpdatedRows) !== 1) continue;
      await appendEvent(trx, { followupId: f.followup_id, kind: 'reminder', actor: SYSTEM, at: nowIso, data: { dueDate: f.due_date, dueAt: f.due_at } });
      raise.push({
        kind: DUE_SOON_ALERT,
        subject: alertSubject(f.followup_id),
        detail: `差评 follow-up ${f.followup_id} is due ${f.due_date} and its rectification is not recorded (handler: ${f.handler ?? 'none yet'})`,
      });
      n++;
    }
    return n;
  }

  private async escalate(trx: Tx, nowIso: string, raise: Raise[], clear: Raise[]): Promise<number> {
    const late = await trx
      .selectFrom('followups')
      .select(['followup_id', 'due_date', 'due_at', 'department_id', 'escalation_level'])
      .where('state', '=', 'open')
      .where('rectified_at', 'is', null)
      .where('due_at', '<=', nowIso)
      .where('escalation_level', '<', this.p.config.escalation.maxLevel)
      .execute();
    if (late.length === 0) return 0;
    const names = new Map(
      (await trx.selectFrom('departments').select(['department_id', 'name', 'parent_id']).execute()).map((d) => [d.department_id, { name: d.name, parent: d.parent_id }]),
    );
    let n = 0;
    for (const f of late) {
      let level = f.escalation_level;
      try {
        while (level < this.p.config.escalation.maxLevel && this.p.deadlines.escalationAt(f.due_date!, level + 1) <= nowIso) level++;
      } catch (err) {
        if (!(err instanceof CalendarYearMissingError)) throw err;
      }
      if (level === f.escalation_level) continue;
      const won = await trx
        .updateTable('followups')
        .set({ escalation_level: level })
        .where('followup_id', '=', f.followup_id)
        .where('escalation_level', '=', f.escalation_level)
        .where('rectified_at', 'is', null)
        .executeTakeFirst();
      if (Number(won.numUpdatedRows) !== 1) continue;
      const to = escalatedTo(names, f.department_id, level);
      await appendEvent(trx, { followupId: f.followup_id, kind: 'escalated', actor: SYSTEM, at: nowIso, data: { level, to: to.departmentId, dueDate: f.due_date } });
      clear.push({ kind: DUE_SOON_ALERT, subject: alertSubject(f.followup_id), detail: '' });
      raise.push({
        kind: OVERDUE_ALERT,
        subject: alertSubject(f.followup_id),
        detail: `差评 follow-up ${f.followup_id} was due ${f.due_date} and is not rectified: escalated (level ${level}) to ${to.department ?? 'the hall managers'}`,
      });
      n++;
    }
    return n;
  }

  private async purge(trx: Tx, now: number, nowIso: string): Promise<number> {
    const closedBefore = new Date(now - this.p.config.contact.retentionDays * 86_400_000).toISOString();
    const due = await trx
      .selectFrom('followups as f')
      .innerJoin('followup_contact_keys as k', 'k.followup_id', 'f.followup_id')
      .select('f.followup_id')
      .where('f.state', '=', 'closed')
      .where('f.closed_at', '<=', closedBefore)
      .where('k.purged_at', 'is', null)
      .execute();
    let n = 0;
    for (const { followup_id } of due) {
      if (!(await this.p.escrow.purge(trx, followup_id, nowIso))) continue;
      await trx.updateTable('followups').set({ contact_purged_at: nowIso }).where('followup_id', '=', followup_id).execute();
      await appendEvent(trx, {
        followupId: followup_id,
        kind: 'contact-purged',
        actor: SYSTEM,
        at: nowIso,
        note: `the call-back number is unreadable now: closed more than ${this.p.config.contact.retentionDays} days ago`,
      });
      n++;
    }
    return n;
  }

  private async tickSafely(): Promise<void> {
    // Several workers: the one holding the lease reminds, escalates and purges.
    if (!leasesOf(this.p.store).holds('followup')) return;
    try {
      await this.tick();
    } catch (err) {
      this.p.logger.error({ err }, 'follow-up run failed; will retry');
    }
  }
}
