/**
 * A device that rolled back or refused a release is something hall IT must not miss (R19): the
 * device still runs its old version and will not take this one by itself. Its report raises an
 * alert on the board (console → 告警), and a later healthy report of the same device clears it.
 */
import type { UpdateReport } from '@hcp/contract/release';
import type { AlertBoard } from '../alerts/alert-board.js';

export const UPDATE_ROLLED_BACK_ALERT = 'update-rolled-back';
export const UPDATE_FAILED_ALERT = 'update-failed';

/** Raise or clear the device's update alerts for the reports the gateway recorded (not those it ignored). */
export async function alertOnUpdateReports(alerts: AlertBoard, deviceId: string, recorded: readonly UpdateReport[]): Promise<void> {
  for (const r of recorded) {
    const why = r.reason ? `: ${r.reason}` : '';
    if (r.state === 'rolled-back') {
      await alerts.raise(UPDATE_ROLLED_BACK_ALERT, deviceId, `${deviceId} went back from release ${r.version} to its previous version${why}`);
    } else if (r.state === 'refused' || r.state === 'rollback-blocked') {
      const what = r.state === 'refused' ? `refused release ${r.version}` : `is unhealthy on release ${r.version} and cannot go back (its migrations ran)`;
      await alerts.raise(UPDATE_FAILED_ALERT, deviceId, `${deviceId} ${what}${why}`);
    } else if (r.state === 'healthy') {
      await alerts.clear(UPDATE_ROLLED_BACK_ALERT, deviceId);
      await alerts.clear(UPDATE_FAILED_ALERT, deviceId);
    }
  }
}
