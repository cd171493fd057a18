/**
 * Operational events for hall IT (logins, presses while not armed, unknown badges, storage errors).
 * Never anything that ties a rating to a person.
 */
import type { Logger } from 'pino';
import type { Db } from './database.js';

export type DeviceEventKind =
  | 'staff-login'
  | 'staff-logout'
  | 'unknown-badge'
  | 'press-not-armed'
  | 'invitation-opened'
  | 'invitation-expired'
  | 'invitation-withdrawn'
  | 'paused'
  | 'resumed'
  | 'storage-error'
  | 'config-applied'
  | 'badge-captured'
  | 'receipt-failed'
  | 'receipt-skipped';

export class EventLog {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly logger?: Logger,
    /** The device's stamp clock (device/clock/stamp-clock.ts), so events and records share one time line. */
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare('INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)');
  }

  record(kind: DeviceEventKind, detail?: Record<string, unknown>, at = new Date(this.now())): void {
    // The same facts go to the log for hall IT; frequent ones only at debug.
    this.logger?.[kind === 'press-not-armed' ? 'debug' : kind === 'storage-error' ? 'error' : 'info']({ event: kind, ...detail }, kind);
    try {
      this.insert.run(at.toISOString(), kind, detail ? JSON.stringify(detail) : null);
    } catch {
      // An event that cannot be written (full disk) must never take the rating path down.
    }
  }

  recent(limit = 100): Array<{ at: string; kind: string; detail: unknown }> {
    return (
      this.db.prepare('SELECT at, kind, detail FROM events ORDER BY id DESC LIMIT ?').all(limit) as Array<{
        at: string;
        kind: string;
        detail: string | null;
      }>
    ).map((r) => ({ at: r.at, kind: r.kind, detail: r.detail ? JSON.parse(r.detail) : null }));
  }

  count(kind: DeviceEventKind): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events WHERE kind = ?').get(kind) as { n: number }).n;
  }
}
