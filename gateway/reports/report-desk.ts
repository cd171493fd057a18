/**
 * Makes and keeps the reports: on demand, on the schedule (the gateway's Clock: the latest period of
 * each kind once its due day has come, reports-config.ts), and again when a published period
 * changes (report-changes.ts) — each a snapshot (snapshots.ts). One run at a time: a report being
 * made while another check starts would race for the same version number.
 */
import type { Logger } from 'pino';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { buildReport, type BuildSettings } from './report-builder.js';
import { changesSince } from './report-changes.js';
import { latestDue, periodEnded, periodOf, REPORT_KINDS, type Period } from './periods.js';
import type { ReportsConfig } from './reports-config.js';
import { BasisSchema, ReportSnapshots, type SnapshotMeta, type VersionReason } from './snapshots.js';

export class PeriodNotEndedError extends Error {
  readonly code = 'period-not-ended';
}

export interface ReportDeskParts {
  store: GatewayStore;
  clock: Clock;
  logger: Logger;
  config: ReportsConfig;
  hallName: string;
  goodLevels: readonly number[];
}

export class ReportDesk {
  readonly snapshots: ReportSnapshots;
  private readonly settings: BuildSettings;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly p: ReportDeskParts) {
    this.snapshots = new ReportSnapshots(p.store);
    this.settings = { hallName: p.hallName, goodLevels: p.goodLevels, ranking: p.config.ranking, stars: p.config.stars };
  }

  /** Run `fn` after whatever is running (never two reports at once). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The period's report: made if there is none; a new version if the data changed since the latest;
   * otherwise the latest as it is (`created: false`). Refuses a period that has not ended.
   */
  generate(period: Period, by: string): Promise<{ snapshot: SnapshotMeta; created: boolean }> {
    return this.serial(async () => {
      const now = this.p.clock.now();
      if (!periodEnded(period, now)) throw new PeriodNotEndedError(`${period.period} has not ended: its report can be made from ${period.to} onwards, the day after`);
      const made = await this.publishIfChanged(period, by);
      if (made) return { snapshot: made, created: true };
      const latest = (await this.snapshots.list({ kind: period.kind, period: period.period })).find((s) => s.latest)!;
      return { snapshot: latest, created: false };
    });
  }

  /** The scheduled reports that are due and missing; then every published period checked for changes. */
  tick(): Promise<SnapshotMeta[]> {
    return this.serial(async () => {
      const made: SnapshotMeta[] = [];
      const now = this.p.clock.now();
      for (const kind of REPORT_KINDS) {
        const p = latestDue(kind, now, this.p.config.schedule);
        if (!(await this.snapshots.latestRow(kind, p.period))) made.push((await this.publishIfChanged(p, 'schedule'))!);
      }
      made.push(...(await this.recheckAll()));
      return made;
    });
  }

  /** Only the change check (after a write-off). */
  recheck(): Promise<SnapshotMeta[]> {
    return this.serial(() => this.recheckAll());
  }

  private async recheckAll(): Promise<SnapshotMeta[]> {
    const made: SnapshotMeta[] = [];
    const latest = (await this.snapshots.list()).filter((s) => s.latest);
    for (const s of latest) {
      const m = await this.publishIfChanged(periodOf(s.kind, s.period), 'recheck');
      if (m) made.push(m);
    }
    return made;
  }

  /** A first version, or a next one when something changed; null when the latest still stands. */
  private async publishIfChanged(period: Period, by: string): Promise<SnapshotMeta | null> {
    const db = this.p.store.db;
    const latest = await this.snapshots.latestRow(period.kind, period.period);
    let reason: VersionReason | null = null;
    if (latest) {
      const check = await db.selectFrom('report_checks').select('checked_seq').where('kind', '=', period.kind).where('period', '=', period.period).executeTakeFirst();
      const found = await changesSince(db, period, BasisSchema.parse(JSON.parse(latest.basis)), check?.checked_seq ?? 0);
      if (!found.reason) {
        await this.p.store.write(async (trx) => {
          const at = new Date(this.p.clock.now()).toISOString();
          await trx
            .insertInto('report_checks')
            .values({ kind: period.kind, period: period.period, checked_seq: found.logSeq, checked_at: at })
            .onConflict((oc) => oc.columns(['kind', 'period']).doUpdateSet({ checked_seq: found.logSeq, checked_at: at }))
            .execute();
        });
        return null;
      }
      reason = found.reason;
    }
    const generatedAt = new Date(this.p.clock.now()).toISOString();
    // Every version reads follow-ups at the first version's cut-off: a new version corrects, it does not move the goalposts.
    const cutoff = latest?.cutoff ?? generatedAt;
    const started = performance.now();
    const { content, basis } = await buildReport(db, period, cutoff, this.settings);
    const meta = await this.snapshots.publish({ period, content, basis, cutoff, generatedAt, generatedBy: by, reason });
    this.p.logger.info({ snapshotId: meta.snapshotId, by, ms: Math.round(performance.now() - started) }, 'report published');
    return meta;
  }
}
