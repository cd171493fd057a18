/**
 * What hall IT knows of each device: online or offline since when, and the last facts it reported
 * (backlog, last sync, clock offset, software version, panel and reader, store fill). A report is
 * merged into what is known, so the MQTT last will — `{online: false}` and nothing else — marks
 * the device offline without wiping the facts hall IT needs exactly then (issue 10, hole 5).
 * Some facts raise alerts: a store nearly full, a clock far off, a panel or reader unplugged, a
 * backlog growing (docs/DESIGN.md "Device alerts"; thresholds from the config's `watch` section).
 */
import { DeviceStatusSchema, type DeviceStatus } from '@hcp/contract';
import type { AlertBoard } from '../alerts/alert-board.js';
import type { BacklogTrend } from './backlog-trend.js';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';

export const STORE_FILL_ALERT = 0.8;
export const CLOCK_SKEW_ALERT_MS = 5 * 60_000;

/** Alert thresholds (the defaults above when not given) and the backlog's trend. */
export interface DeviceStatusOptions {
  storeFillAlert?: number;
  clockSkewAlertMs?: number;
  backlog?: BacklogTrend;
}

export interface DeviceView {
  deviceId: string;
  windowId: string | null;
  retired: boolean;
  enrolled: boolean;
  epoch: number;
  headSeq: number;
  online: boolean;
  offlineSince: string | null;
  lastSeenAt: string | null;
  status: Partial<DeviceStatus> | null;
}

export class DeviceStatusBook {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly alerts: AlertBoard,
    private readonly o: DeviceStatusOptions = {},
  ) {}

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async connected(deviceId: string): Promise<void> {
    const now = this.iso();
    await this.store.db.updateTable('devices').set({ online: 1, offline_since: null, last_seen_at: now }).where('device_id', '=', deviceId).execute();
    await this.alerts.clear('device-offline', deviceId);
  }

  async disconnected(deviceId: string): Promise<void> {
    const now = this.iso();
    await this.store.db.updateTable('devices').set({ online: 0, offline_since: now }).where('device_id', '=', deviceId).where('online', '=', 1).execute();
  }

  /**
   * A status report (or a last will). `live`: whether the broker knows the device connected right
   * now — a will that arrives after the device already reconnected must not mark it offline.
   */
  async report(deviceId: string, payload: Buffer, live: boolean | null): Promise<'malformed' | { cameOnline: boolean; wentOffline: boolean }> {
    let s: DeviceStatus;
    try {
      const parsed = DeviceStatusSchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!parsed.success || parsed.data.deviceId !== deviceId) return 'malformed';
      s = parsed.data;
    } catch {
      return 'malformed';
    }
    const row = await this.store.db.selectFrom('devices').select(['status', 'online']).where('device_id', '=', deviceId).executeTakeFirst();
    if (!row) return 'malformed';
    const known = row.status ? (JSON.parse(row.status) as Partial<DeviceStatus>) : {};
    const { deviceId: _d, online, ...facts } = s;
    const merged = { ...known, ...facts, online: live ?? online };
    const now = this.iso();
    const goesOffline = !online && live !== true;
    const cameOnline = !goesOffline && row.online === 0;
    await this.store.db
      .updateTable('devices')
      .set({
        status: JSON.stringify(merged),
        ...(goesOffline ? (row.online ? { online: 0, offline_since: now } : {}) : { online: 1, offline_since: null, last_seen_at: now }),
      })
      .where('device_id', '=', deviceId)
      .execute();
    if (facts.storeFill !== undefined) {
      if (facts.storeFill >= (this.o.storeFillAlert ?? STORE_FILL_ALERT))
        await this.alerts.raise(
          'store-nearly-full',
          deviceId,
          `the device store is ${Math.round(facts.storeFill * 100)} % full: check that it syncs (acknowledged records are pruned) and its retention settings`,
        );
      else await this.alerts.clear('store-nearly-full', deviceId);
    }
    if (facts.clockOffsetMs !== undefined) {
      if (Math.abs(facts.clockOffsetMs) >= (this.o.clockSkewAlertMs ?? CLOCK_SKEW_ALERT_MS))
        await this.alerts.raise(
          'clock-skew',
          deviceId,
          `the device clock is ${Math.round(facts.clockOffsetMs / 60_000)} min off the gateway's: its rating times are corrected, but set its clock (NTP) or replace its RTC battery`,
        );
      else await this.alerts.clear('clock-skew', deviceId);
    }
    if (facts.panel !== undefined) {
      if (facts.panel === 'disconnected') await this.alerts.raise('panel-disconnected', deviceId, 'the rating panel is not connected: citizens can rate only on the touch screen');
      else await this.alerts.clear('panel-disconnected', deviceId);
    }
    if (facts.reader !== undefined) {
      if (facts.reader === 'disconnected') await this.alerts.raise('reader-disconnected', deviceId, 'the badge reader is not connected: staff cannot log in with their badge');
      else await this.alerts.clear('reader-disconnected', deviceId);
    }
    if (facts.backlog !== undefined) await this.o.backlog?.report(deviceId, facts.backlog, now);
    return { cameOnline, wentOffline: goesOffline && row.online === 1 };
  }

  /** After a restart of the embedded broker nobody is connected: the flags say so. */
  async allOffline(): Promise<void> {
    await this.store.db.updateTable('devices').set({ online: 0, offline_since: this.iso() }).where('online', '=', 1).execute();
  }

  async list(): Promise<DeviceView[]> {
    const rows = await this.store.db
      .selectFrom('devices as d')
      .leftJoin('device_epochs as e', (j) => j.onRef('e.device_id', '=', 'd.device_id').onRef('e.epoch', '=', 'd.current_epoch'))
      .select(['d.device_id', 'd.window_id', 'd.retired', 'd.enrolled_at', 'd.current_epoch', 'e.head_seq', 'd.online', 'd.offline_since', 'd.last_seen_at', 'd.status'])
      .orderBy('d.device_id')
      .execute();
    return rows.map((r) => ({
      deviceId: r.device_id,
      windowId: r.window_id,
      retired: r.retired === 1,
      enrolled: r.enrolled_at !== null,
      epoch: r.current_epoch,
      headSeq: r.head_seq ?? 0,
      online: r.online === 1,
      offlineSince: r.offline_since,
      lastSeenAt: r.last_seen_at,
      status: r.status ? (JSON.parse(r.status) as Partial<DeviceStatus>) : null,
    }));
  }

  /** Every enrolment of a device, oldest first: a device re-keyed after a wipe shows two. */
  async epochs(deviceId: string) {
    const rows = await this.store.db.selectFrom('device_epochs').selectAll().where('device_id', '=', deviceId).orderBy('epoch').execute();
    return rows.map((r) => ({ epoch: r.epoch, keyFingerprint: r.key_fingerprint, headSeq: r.head_seq, enrolledAt: r.enrolled_at, endedAt: r.ended_at }));
  }
}
