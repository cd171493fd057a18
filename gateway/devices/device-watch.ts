/**
 * The device watch (R19: devices complete, reliable, connected — this is where it is watched): a
 * job of the gateway's core that looks, every `watch.everyMs`, at what no single message says.
 *
 *   device-offline  offline `offlineAfterMin` within one opening period (opening-hours.ts); a
 *                   device still offline when the hall opens alerts that long after opening.
 *                   Cleared when it is back (also by DeviceStatusBook.connected at once).
 *   chain-gap       ingest recorded a row in chain_gaps; cleared once the missing records came.
 *   security        one per kind and source of refusals past `securityFloodEvents` in
 *                   `securityFloodWindowMin`; cleared after as long a quiet.
 *
 * Everything it decides from is in the database (devices, chain_gaps, security_events, alerts,
 * a cursor), so several gateway workers on one database can each run it: an alert that is already
 * live is left alone, and each chain gap is taken by one worker only.
 */
import type { Logger } from 'pino';
import type { AlertBoard } from '../alerts/alert-board.js';
import { createChinaCalendar, type WorkingDayCalendar } from '../calendar/working-days.js';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { OpeningHours } from './opening-hours.js';
import type { WatchConfig } from './watch-config.js';
import { leasesOf } from '../workers/job-lease.js';

const CURSOR = 'device-watch:chain-gaps';
/** Kinds that raise their own alert at each event (gateway.ts): a flood of them is not news twice. */
const OWN_ALERT_KINDS = ['key-proof-failed', 'session-fight'];
const WATCHED = ['device-offline', 'chain-gap', 'security'];

export interface DeviceWatchParts {
  store: GatewayStore;
  clock: Clock;
  alerts: AlertBoard;
  logger: Logger;
  config: WatchConfig;
  /** The official calendar; built from `config.calendarOverrideFile` when not given. */
  calendar?: WorkingDayCalendar;
}

export class DeviceWatch {
  readonly hours: OpeningHours;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly p: DeviceWatchParts) {
    const calendar = p.calendar ?? createChinaCalendar(p.config.calendarOverrideFile ? { overrideFile: p.config.calendarOverrideFile } : {});
    this.hours = new OpeningHours(p.config, calendar, (err) => p.logger.error({ year: err.year }, `${err.message}; opening hours follow the weekly hours alone meanwhile`));
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tickSafely(), this.p.config.everyMs);
    this.timer.unref();
    await this.tickSafely();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Look once (one look at a time). */
  tick(): Promise<void> {
    this.running ??= this.look().finally(() => (this.running = null));
    return this.running;
  }

  private async tickSafely(): Promise<void> {
    // Several workers: the one holding the lease looks (an alert raised once, not once per worker).
    if (!leasesOf(this.p.store).holds('device-watch')) return;
    await this.tick().catch((err: unknown) => this.p.logger.error({ err }, 'device watch failed; it looks again at the next tick'));
  }

  private async look(): Promise<void> {
    const now = this.p.clock.now();
    const rows = await this.p.store.db.selectFrom('alerts').select(['kind', 'subject']).where('cleared_at', 'is', null).where('kind', 'in', WATCHED).execute();
    const live = new Set(rows.map((r) => `${r.kind} ${r.subject}`));
    await this.offline(now, live);
    await this.chainGaps(live);
    await this.securityFloods(now, live);
  }

  private async offline(now: number, live: Set<string>): Promise<void> {
    const devices = await this.p.store.db
      .selectFrom('devices as d')
      .leftJoin('windows as w', 'w.window_id', 'd.window_id')
      .select(['d.device_id', 'd.online', 'd.retired', 'd.offline_since', 'd.last_seen_at', 'd.enrolled_at', 'w.number'])
      .where('d.enrolled_at', 'is not', null)
      .execute();
    const openSince = this.hours.openSince(now);
    const afterMs = this.p.config.offlineAfterMin * 60_000;
    for (const d of devices) {
      const raised = live.has(`device-offline ${d.device_id}`);
      if (d.online === 1 || d.retired === 1) {
        // A site broker reports a return only through the device's status: clear here too.
        if (raised) await this.p.alerts.clear('device-offline', d.device_id);
        continue;
      }
      if (raised || openSince === null) continue;
      // Never connected since enrolment counts as offline since then.
      const since = Date.parse(d.offline_since ?? d.last_seen_at ?? d.enrolled_at!);
      if (now - Math.max(since, openSince) < afterMs) continue;
      const minutes = Math.floor((now - since) / 60_000);
      await this.p.alerts.raise(
        'device-offline',
        d.device_id,
        `offline since ${chinaTime(since)} (${minutes} min) while the hall is open${d.number ? `, at window ${d.number}` : ''}: ratings stay on the device until it is back; check its power and network`,
      );
    }
  }

  private async chainGaps(live: Set<string>): Promise<void> {
    const fresh = await this.p.store.write(async (trx) => {
      const top = await trx
        .selectFrom('chain_gaps')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      const max = Number(top?.id ?? 0);
      const cursor = await trx.selectFrom('cursors').select('position').where('name', '=', CURSOR).executeTakeFirst();
      if (!cursor) {
        // Gaps from before the watch existed are not news.
        await trx.insertInto('cursors').values({ name: CURSOR, position: max }).execute();
        return [];
      }
      if (max <= cursor.position) return [];
      // Compare-and-set: on a shared database, one worker takes each gap.
      const moved = await trx.updateTable('cursors').set({ position: max }).where('name', '=', CURSOR).where('position', '=', cursor.position).executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return [];
      return trx.selectFrom('chain_gaps').selectAll().where('id', '>', cursor.position).where('id', '<=', max).orderBy('id').execute();
    });
    const byDevice = new Map(fresh.map((g) => [g.device_id, g]));
    for (const [deviceId, g] of byDevice) {
      const n = fresh.filter((x) => x.device_id === deviceId).length;
      await this.p.alerts.raise(
        'chain-gap',
        deviceId,
        `records ${g.expected_seq}–${g.got_seq - 1} of the device's chain (epoch ${g.epoch}) were missing when seq ${g.got_seq} came${n > 1 ? ` (${n} gaps)` : ''}: the device resends them, and this clears when they are stored; if it does not, check the device with device:verify`,
      );
      live.add(`chain-gap ${deviceId}`);
    }
    const raised = [...live].filter((k) => k.startsWith('chain-gap ')).map((k) => k.slice('chain-gap '.length));
    if (raised.length === 0) return;
    const open = await this.p.store.db
      .selectFrom('chain_gaps as g')
      .innerJoin('device_epochs as e', (j) => j.onRef('e.device_id', '=', 'g.device_id').onRef('e.epoch', '=', 'g.epoch'))
      .select('g.device_id')
      .distinct()
      .where('g.device_id', 'in', raised)
      // Filled once the chain's head has passed the records that were missing.
      .where((eb) => eb('e.head_seq', '<', eb('g.got_seq', '-', 1)))
      .execute();
    const stillOpen = new Set(open.map((r) => r.device_id));
    for (const deviceId of raised) if (!stillOpen.has(deviceId)) await this.p.alerts.clear('chain-gap', deviceId);
  }

  private async securityFloods(now: number, live: Set<string>): Promise<void> {
    const windowMin = this.p.config.securityFloodWindowMin;
    const rows = await this.p.store.db
      .selectFrom('security_events')
      .select(['kind', 'client_id', 'remote', 'count'])
      .where('last_at', '>=', new Date(now - windowMin * 60_000).toISOString())
      .where('kind', 'not in', OWN_ALERT_KINDS)
      .execute();
    // The source is the address when there is one (a scan tries many client ids from one place).
    const counts = new Map<string, { kind: string; source: string; n: number }>();
    for (const r of rows) {
      const source = r.remote ?? r.client_id ?? 'many-sources';
      const key = `${r.kind}:${source}`;
      const c = counts.get(key) ?? { kind: r.kind, source, n: 0 };
      c.n += r.count;
      counts.set(key, c);
    }
    for (const [subject, c] of counts) {
      if (c.n < this.p.config.securityFloodEvents || live.has(`security ${subject}`)) continue;
      await this.p.alerts.raise(
        'security',
        subject,
        `${c.n} refused (${c.kind}) from ${c.source} in ${windowMin} min: see the security events; this clears after ${windowMin} quiet minutes`,
      );
    }
    for (const key of live) {
      if (!key.startsWith('security ')) continue;
      const subject = key.slice('security '.length);
      if (!counts.has(subject)) await this.p.alerts.clear('security', subject);
    }
  }
}

/** An instant as the hall reads it: China time, to the minute. */
function chinaTime(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')} (UTC+8)`;
}
