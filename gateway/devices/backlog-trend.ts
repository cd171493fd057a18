/**
 * The `backlog-growing` alert (R19): a device whose backlog of unsent records rises report after
 * report is connected but not getting its records stored — the gateway refuses or cannot keep up —
 * and its store fills meanwhile. The last few reported backlogs are kept in the database, not in
 * memory: several gateway workers share one database, and any of them may take the next report.
 */
import type { AlertBoard } from '../alerts/alert-board.js';
import type { GatewayStore } from '../store/database.js';

export interface BacklogTrendOptions {
  /** Raise when the last this many reports are each higher than the one before … */
  risingReports: number;
  /** … and the latest is at least this. */
  floor: number;
}

export class BacklogTrend {
  constructor(
    private readonly store: GatewayStore,
    private readonly alerts: AlertBoard,
    private readonly o: BacklogTrendOptions,
  ) {}

  /** A reported backlog: keep it with the few before it, then raise or clear. */
  async report(deviceId: string, backlog: number, at: string): Promise<void> {
    const keep = this.o.risingReports + 1;
    const recent = await this.store.write(async (trx) => {
      await trx.insertInto('device_backlog_reports').values({ device_id: deviceId, backlog, at }).execute();
      const rows = await trx.selectFrom('device_backlog_reports').select(['id', 'backlog']).where('device_id', '=', deviceId).orderBy('id', 'desc').limit(keep).execute();
      // Only the last few matter: the table stays a few rows per device.
      if (rows.length === keep)
        await trx
          .deleteFrom('device_backlog_reports')
          .where('device_id', '=', deviceId)
          .where('id', '<', rows[keep - 1]!.id)
          .execute();
      return rows.map((r) => r.backlog).reverse();
    });
    const last = recent[recent.length - 1]!;
    const rising = recent.length === keep && recent.every((b, i) => i === 0 || b > recent[i - 1]!);
    if (rising && last >= this.o.floor) {
      await this.alerts.raise(
        'backlog-growing',
        deviceId,
        `the device's backlog of unsent records grew in each of its last ${this.o.risingReports} reports (${recent.join(' → ')}): it is connected but its records are not being stored; see its security events and chain gaps`,
      );
    } else if (last < this.o.floor || (recent.length > 1 && last < recent[recent.length - 2]!)) {
      // Draining, or small again: over. A backlog that only holds steady keeps the alert.
      await this.alerts.clear('backlog-growing', deviceId);
    }
  }
}
